/** The README is kept true: its error table is the catalogue, and every TWOSTEP_ variable the config reads is documented. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { errorCatalogue } from "../src/domain/errors.js";
import { renderEmail } from "../src/domain/email-words.js";
import { notifications } from "../src/domain/notifications.js";
import { demoUsers } from "../src/services/demo.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("lists exactly the error catalogue, with statuses and messages", () => {
    const rows = [...readme.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| (.+) \|$/gm)].map((match) => [match[1], Number(match[2]), match[3]]);
    const catalogue = Object.entries(errorCatalogue).map(([code, entry]) => [code, entry.status, entry.message]);
    assert.deepEqual(rows, catalogue);
  });

  it("lists exactly the demo logins demo:load creates, with their passwords", () => {
    const rows = [...readme.matchAll(/^\| `([^`]+@[^`]+)` \| `([^`]+)` \| .+ \|$/gm)].map((match) => [match[1], match[2]]);
    assert.deepEqual(rows, demoUsers.map((user) => [user.email, user.password]));
  });

  it("documents every environment variable src/config*.ts reads", () => {
    const config = ["config.ts", "config-env.ts", "config-messaging.ts", "config-operations.ts", "config-oidc.ts"].map((file) => readFileSync(new URL(`../src/${file}`, import.meta.url), "utf8")).join("\n");
    const names = new Set([...config.matchAll(/(?:"|env\.)(TWOSTEP_[A-Z0-9_]+)/g)].map((match) => match[1]!));
    names.add("TWOSTEP_ENV");
    for (const name of names) assert.ok(readme.includes(`\`${name}\``), `${name} is missing from README's configuration table`);
  });

  it("documents every TWOSTEP_ name anywhere in src/ (a variable read elsewhere, or a former name the config refuses)", () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []));
    const names = new Set(walk(fileURLToPath(new URL("../src", import.meta.url))).flatMap((file) => [...readFileSync(file, "utf8").matchAll(/\b(TWOSTEP_[A-Z0-9_]+)\b/g)].map((match) => match[1]!)));
    const missing = [...names].filter((name) => !readme.includes(`\`${name}\``));
    assert.deepEqual(missing, [], "every TWOSTEP_ name in src/ is in README's configuration table");
  });

  it("says what is emailed when: exactly the notification table, with each email's subject", () => {
    const section = readme.split("## What is emailed when")[1]?.split("\n## ")[0] ?? "";
    const rows = [...section.matchAll(/^\| `([a-z_.]+)` \| (.+) \|$/gm)].map((match) => [match[1], match[2]]);
    const facts = { displayName: "A", at: 0, clientAddress: null, actorName: null, securityUrl: "http://x" };
    const table = Object.entries(notifications).map(([event, entry]) => [event, renderEmail(entry.kind, facts).subject]);
    assert.deepEqual(rows, table);
  });
});
