/** The README is kept true: its error table is the catalogue, and every TWOSTEP_ variable the config reads is documented. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { errorCatalogue } from "../src/domain/errors.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("lists exactly the error catalogue, with statuses and messages", () => {
    const rows = [...readme.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| (.+) \|$/gm)].map((match) => [match[1], Number(match[2]), match[3]]);
    const catalogue = Object.entries(errorCatalogue).map(([code, entry]) => [code, entry.status, entry.message]);
    assert.deepEqual(rows, catalogue);
  });

  it("documents every environment variable src/config.ts reads", () => {
    const config = readFileSync(new URL("../src/config.ts", import.meta.url), "utf8");
    const names = new Set([...config.matchAll(/(?:"|env\.)(TWOSTEP_[A-Z0-9_]+)/g)].map((match) => match[1]!));
    names.add("TWOSTEP_ENV");
    for (const name of names) assert.ok(readme.includes(`\`${name}\``), `${name} is missing from README's configuration table`);
  });
});
