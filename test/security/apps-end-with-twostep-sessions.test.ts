/**
 * Threat: a new way of ending twostep sessions ("sign out everywhere", an
 * admin ending all of a user's sessions, …) forgets the apps: their sessions
 * and refresh tokens live on and no back-channel logout is sent. Every call
 * that revokes sessions in src/services must sit next to the one hook,
 * `endAppSessions` (services/apps/app-sessions.ts), in the same function, so
 * it runs in the same transaction. Read from the source: a path added later
 * without the hook fails here.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

const services = resolve(import.meta.dirname, "../../src/services");

function files(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith(".ts") ? [path] : [];
  });
}

/** The text of the function around `index`: from the nearest `function`/`=>` declaration line before it to the next top-level one. */
function enclosingFunction(text: string, index: number): string {
  const starts = [...text.matchAll(/^(export )?(async )?function |^export const \w+ = /gm)].map((match) => match.index!);
  const start = starts.filter((at) => at <= index).at(-1) ?? 0;
  const end = starts.find((at) => at > index) ?? text.length;
  return text.slice(start, end);
}

describe("security: the apps end with the twostep sessions (issue 15)", () => {
  it("every service function that revokes sessions also calls endAppSessions", () => {
    const missing: string[] = [];
    let seen = 0;
    for (const file of files(services)) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/\.sessions\.(revokeUserSessions|revokeSession)\(/g)) {
        seen++;
        if (!enclosingFunction(text, match.index!).includes("endAppSessions(")) missing.push(`${relative(services, file)}: ${match[1]}`);
      }
    }
    assert.ok(seen >= 6, `found only ${seen} calls that revoke sessions`);
    assert.deepEqual(missing, []);
  });
});
