#!/usr/bin/env node
// The `twostep` command line. Runs the compiled build (npm run build makes dist/).
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("twostep: the build is missing; run `npm run build` first\n");
  process.exit(1);
}
await import(entry.href);
