import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, test } from "node:test";

/**
 * Issue 19 item 6: a flow's functions take the dependencies of their flow
 * (`<flow>/deps.ts`, a `DepsOf<members, ports>`), never the whole
 * `ServiceDeps` or every store port, so a signature says what it may reach.
 */
const services = resolve(import.meta.dirname, "../../src/services");

function files(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith(".ts") ? [path] : [];
  });
}

const flows = readdirSync(services).filter((name) => statSync(join(services, name)).isDirectory());

describe("each flow takes only what it uses (issue 19 item 6)", () => {
  test("every flow folder names its dependencies in deps.ts as a DepsOf and its ports as a PortsOf", () => {
    assert.ok(flows.length >= 15, `only ${flows.length} flow folders`);
    for (const flow of flows) {
      const text = readFileSync(join(services, flow, "deps.ts"), "utf8");
      assert.match(text, /export type \w+Deps = DepsOf<[^>]+>;/, `${flow}/deps.ts`);
      assert.match(text, /export type \w+Ports = PortsOf<[^>]+>;/, `${flow}/deps.ts`);
    }
  });

  test("no function in a flow folder takes the whole ServiceDeps or every store port", () => {
    const wide = flows.flatMap((flow) =>
      files(join(services, flow)).flatMap((file) =>
        readFileSync(file, "utf8")
          .split("\n")
          .map((line, index) => ({ line, where: `${relative(services, file)}:${index + 1}` }))
          .filter(({ line }) => /\b(deps|store)\??: (ServiceDeps|Stores|Store)\b/.test(line) || /Pick<ServiceDeps, [^>]*"store"/.test(line))
          .map(({ where, line }) => `${where}: ${line.trim()}`),
      ),
    );
    assert.deepEqual(wide, []);
  });

  test("the keys flow, which touches only sealed values, cannot reach the rest of the store", () => {
    const text = readFileSync(join(services, "keys", "deps.ts"), "utf8");
    assert.match(text, /KeysDeps = DepsOf<"logger" \| "secretBox", "sealedValues">/);
  });
});
