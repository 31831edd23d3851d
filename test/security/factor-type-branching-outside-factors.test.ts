/**
 * Threat: a factor's rules copied outside its folder. When a flow, a route or a
 * view asks "is this an SMS method?" or "is it answered in the browser?", a new
 * factor (or a change to one) silently misses that place: a second step that
 * reports the wrong field, a "send me a code" button that never appears, a
 * check that lets a new factor skip what the others must pass. The factor says
 * it instead (factors/factor.ts: `proofField`, `presentation`, `words`,
 * `messageRecipient`; the enrolment registry for setups), so adding a factor
 * touches `src/services/factors/` and one registry line. This test reads every
 * file under src/ outside factors/ and fails on a comparison with a factor
 * type, or on the flags and names that used to stand in for one.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { methodTypes } from "../../src/domain/model.js";

const root = new URL("../../", import.meta.url).pathname;
const factorsFolder = "src/services/factors/";

/**
 * The places that may still name one factor, each with its reason. Anything
 * else is a finding.
 */
const allowed: Record<string, string> = {
  // SECURITY 27: the rule that SMS (the weaker factor) is never the only one allowed is a
  // policy rule of the domain, which imports nothing from services.
  "src/domain/policy.ts": "SMS may not be the only allowed method",
};

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const types = methodTypes.join("|");
const patterns: { name: string; pattern: RegExp }[] = [
  { name: "a comparison with a factor type", pattern: new RegExp(`[!=]==?\\s*["'\`](${types})["'\`]|["'\`](${types})["'\`]\\s*[!=]==?`) },
  { name: "a switch case on a factor type", pattern: new RegExp(`case\\s+["'\`](${types})["'\`]`) },
  { name: "an includes() of one factor type", pattern: new RegExp(`\\.includes\\(\\s*["'\`](${types})["'\`]\\s*\\)`) },
  { name: "the old browser-answered flag", pattern: /\banswered_?in_?browser\b/i },
  { name: "an SMS-only name for a factor-neutral idea", pattern: /\b(activeSmsMethodId|SmsPurpose)\b/ },
];

function findings(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles("src")) {
    if (file.startsWith(factorsFolder) || file.startsWith("src/store/migrations/") || allowed[file]) continue;
    readFileSync(join(root, file), "utf8")
      .split("\n")
      .forEach((line, index) => {
        for (const { name, pattern } of patterns) if (pattern.test(line)) found.push(`${file}:${index + 1}: ${name}: ${line.trim()}`);
      });
  }
  return found;
}

describe("security: code outside factors/ never branches on a factor type", () => {
  it("finds no comparison with a factor type, no browser-answered flag and no SMS-only name outside src/services/factors/", () => {
    assert.deepEqual(findings(), []);
  });

  it("would catch one: the patterns match what they stand for", () => {
    const samples = ['if (method.type === "sms")', 'type !== "webauthn"', 'case "totp":', 'allowed.includes("sms")', "factor.answeredInBrowser", "activeSmsMethodId(deps, auth)", "purpose: SmsPurpose"];
    for (const sample of samples) assert.ok(patterns.some(({ pattern }) => pattern.test(sample)), sample);
    for (const sample of ['factor.presentation === "browser_prompt"', 'field: factor.proofField', 'type: "sms"']) assert.ok(!patterns.some(({ pattern }) => pattern.test(sample)), sample);
  });

  it("every allowed exception still exists and still needs its exception", () => {
    for (const file of Object.keys(allowed)) {
      const text = readFileSync(join(root, file), "utf8");
      assert.ok(patterns.some(({ pattern }) => pattern.test(text)), `${relative(root, join(root, file))} no longer branches on a type: remove it from the list`);
    }
  });
});
