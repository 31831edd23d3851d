/**
 * Preloaded by bench/memory-split.ts into `node dist/server.js`: records every package the process
 * resolves (import and require, through node:module's registerHooks) and writes their names, in the
 * order first loaded, to TWOSTEP_MEMORY_LOADED_FILE on SIGUSR2 (written beside it and renamed, so a reader
 * never sees the file half-written: it once read it empty, between its creation and its write).
 */
import { renameSync, writeFileSync } from "node:fs";
import { registerHooks } from "node:module";

const packages = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(resolved.url);
    if (match) packages.add(match[1]);
    return resolved;
  },
});
process.on("SIGUSR2", () => {
  const file = process.env.TWOSTEP_MEMORY_LOADED_FILE;
  writeFileSync(`${file}.part`, [...packages].join("\n"));
  renameSync(`${file}.part`, file);
});
