/**
 * Prints the slowest test files of a run, from the JSON lines test/reporters/file-times.ts
 * wrote: `node --import tsx scripts/slowest-files.ts [--top N] LABEL=FILE …`.
 */
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";

const args = process.argv.slice(2);
const topIndex = args.indexOf("--top");
const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 15;
const rows: { label: string; file: string; milliseconds: number }[] = [];
for (const arg of args) {
  const [label, path] = arg.split("=") as [string, string];
  if (!existsSync(path)) continue;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const { file, milliseconds } = JSON.parse(line) as { file: string; milliseconds: number };
    rows.push({ label, file: relative(process.cwd(), file), milliseconds });
  }
}
rows.sort((a, b) => b.milliseconds - a.milliseconds);
process.stdout.write(`The ${Math.min(top, rows.length)} slowest test files (time of their tests, files run ${"side by side"}):\n`);
for (const row of rows.slice(0, top)) {
  process.stdout.write(`  ${(row.milliseconds / 1000).toFixed(1).padStart(6)} s  ${row.label.padEnd(10)} ${row.file}\n`);
}
