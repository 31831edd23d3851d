/**
 * Issue 19, item 3: one failure shape. Every expected outcome is a
 * `Result<T>` (src/domain/errors.ts) tested with `.ok`. The two other shapes
 * it replaced are refused here: a value or a failure told apart with
 * `"ok" in x` (silently wrong once a success carries `ok`), and a failure or
 * nothing (`Failure | null`, `Failure | undefined`, `T | Failure`).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { filesUnder } from "../helpers/source-files.js";

const root = join(import.meta.dirname, "..", "..");

const patterns: { name: string; pattern: RegExp }[] = [
  { name: '"ok" in', pattern: /["']ok["']\s+in\b/ },
  { name: "Failure | null / undefined", pattern: /\bFailure\s*\|\s*(null|undefined)\b/ },
  { name: "null / undefined | Failure", pattern: /\b(null|undefined)\s*\|\s*Failure\b/ },
  // A union with Failure is Result<T>; only its one definition may spell it out.
  { name: "T | Failure", pattern: /\|\s*Failure\b(?!\w)|\bFailure\s*\|/ },
];
const resultDefinition = "export type Result<T> = ({ ok: true } & T) | Failure;";

describe("one failure shape in src/", () => {
  const files = filesUnder(join(root, "src"), (name) => /\.(ts|md)$/.test(name));

  it("finds the sources", () => assert.ok(files.length > 100, `${files.length} files`));

  for (const { name, pattern } of patterns) {
    it(`no ${name}`, () => {
      const found = files.flatMap((file) =>
        readFileSync(file, "utf8")
          .split("\n")
          .flatMap((line, index) => (pattern.test(line) && line.trim() !== resultDefinition ? [`${relative(root, file)}:${index + 1}: ${line.trim()}`] : [])),
      );
      assert.deepEqual(found, [], `use Result<T> and test .ok:\n${found.join("\n")}`);
    });
  }
});
