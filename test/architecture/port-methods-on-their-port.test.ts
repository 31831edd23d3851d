/**
 * A store port's calls are prototype methods of its class (src/store/kysely-store.ts#portClass):
 * they find their connection through `this`. A call taken off its port — destructured
 * (`const { appendEvent } = tx.events`), assigned (`const append = tx.events.appendEvent`) or passed
 * as a callback (`codes.map(tx.codes.consumeCode)`) — runs without it and fails only when it is
 * called. Refused here, in src/, for every port name of `Stores`.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { filesUnder } from "../helpers/source-files.js";

const root = join(import.meta.dirname, "..", "..");

/** The port names, read from `Stores` in src/store/store.ts (each a `name: Port;` line of that interface). */
function portNames(): string[] {
  const source = readFileSync(join(root, "src/store/store.ts"), "utf8");
  const body = /export interface Stores \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? "";
  return [...body.matchAll(/^\s+(?:readonly\s+)?(\w+)\s*:/gm)].map((match) => match[1]!);
}

/** Every call a port has: the functions its SQL files export (src/store/kysely/, one file per port's calls). */
function callNames(): string[] {
  const folder = join(root, "src/store/kysely");
  return readdirSync(folder).flatMap((file) => [...readFileSync(join(folder, file), "utf8").matchAll(/^export (?:async )?function (\w+)/gm)].map((match) => match[1]!));
}

/** Code only: comments and string literals blanked, so an example in prose is not a finding. */
function codeOf(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, " "))
    .replace(/\/\/[^\n]*/g, "")
    .replace(/(["'`])(?:\\.|(?!\1)[^\\\n])*\1/g, '""');
}

describe("a store port's calls are called on their port", () => {
  const ports = portNames();
  const calls = callNames();
  const files = filesUnder(join(root, "src"));

  it("reads the port names and the sources", () => {
    assert.ok(ports.length >= 20 && ports.includes("events") && ports.includes("counters"), ports.join(", "));
    assert.ok(files.length > 100, `${files.length} files`);
    assert.ok(calls.includes("appendEvent") && calls.includes("countAttempt") && calls.length > 100, `${calls.length} calls`);
  });

  it("takes no call off a port (destructured, assigned or passed along)", () => {
    const names = ports.join("|");
    // `.events.appendEvent` (a port, then one of the ports' calls) not followed by `(` or `?.(`, and `{ … } = x.events`.
    const offPort = new RegExp(`\\.(?:${names})\\??\\.(?:${calls.join("|")})\\b(?!\\s*(?:\\(|\\?\\.\\(|<))`, "g");
    const destructured = new RegExp(`\\}\\s*=\\s*(?:await\\s+)?[\\w.?]*\\.(?:${names})\\s*[;,)\\n]`, "g");
    const found = files.flatMap((file) => {
      const code = codeOf(readFileSync(file, "utf8"));
      return [...code.matchAll(offPort), ...code.matchAll(destructured)].map((match) => {
        const line = code.slice(0, match.index).split("\n").length;
        return `${relative(root, file)}:${line}: ${match[0].trim()}`;
      });
    });
    assert.deepEqual(found, []);
  });
});
