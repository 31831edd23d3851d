import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, test } from "node:test";

/**
 * ARCHITECTURE.md and the folder READMEs name code as `file.ts#function` and
 * list each flow's entry points: every such name must exist, so a walk of a
 * request or a folder's README cannot drift from the code unnoticed.
 */
const root = resolve(import.meta.dirname, "../..");

function files(folder: string, keep: (name: string) => boolean): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? files(path, keep) : keep(name) ? [path] : [];
  });
}

const code = [...files(join(root, "src"), (name) => name.endsWith(".ts")), ...files(join(root, "test"), (name) => name.endsWith(".ts"))];
const docs = [join(root, "ARCHITECTURE.md"), ...files(join(root, "src"), (name) => name.endsWith(".md"))];

describe("the docs name code that exists", () => {
  test("every `file.ts#name` in ARCHITECTURE.md and the READMEs under src/ names a file that defines that name", () => {
    const missing: string[] = [];
    let seen = 0;
    for (const doc of docs) {
      for (const match of readFileSync(doc, "utf8").matchAll(/`([\w./-]+\.ts)#(\w+)`/g)) {
        seen++;
        const [, path, name] = match;
        const candidates = code.filter((file) => file.endsWith(`/${path}`));
        const defines = candidates.some((file) => new RegExp(`\\b(function|const|class|interface|type|let)\\s+${name}\\b|\\b${name}\\s*[(:=]`).test(readFileSync(file, "utf8")));
        if (!defines) missing.push(`${relative(root, doc)}: ${path}#${name}${candidates.length ? "" : " (no such file)"}`);
      }
    }
    assert.ok(seen > 20, `only ${seen} references read`);
    assert.deepEqual(missing, []);
  });

  test("every entry point a services folder's README names in backticks is exported by that folder", () => {
    const missing: string[] = [];
    const services = join(root, "src/services");
    for (const folder of readdirSync(services).filter((name) => statSync(join(services, name)).isDirectory())) {
      const readme = readFileSync(join(services, folder, "README.md"), "utf8");
      const exported = new Set(
        files(join(services, folder), (name) => name.endsWith(".ts")).flatMap((file) =>
          [...readFileSync(file, "utf8").matchAll(/^export (?:async )?(?:function|const|type|interface|class) (\w+)/gm)].map((match) => match[1]),
        ),
      );
      for (const [, name] of readme.matchAll(/`([a-z][A-Za-z]+)`/g)) {
        if (/^[a-z]+[A-Z]/.test(name!) && !exported.has(name!)) missing.push(`${folder}/README.md: ${name}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});
