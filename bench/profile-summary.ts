/**
 * Summarises a V8 .cpuprofile: self time by package/file, then the top functions
 * by self and by inclusive time. For the server under load:
 *
 *   BENCH_ONLY=wrong BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench
 *   node --import tsx bench/profile-summary.ts /tmp/prof/CPU.*.cpuprofile [top=30]
 *
 * (Pass the main thread's profile, the one whose name ends in .0.001.cpuprofile.)
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArgument] = process.argv.slice(2);
if (!file) throw new Error("usage: bench/profile-summary.ts <file.cpuprofile> [top]");
const top = Number(topArgument ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

const selfById = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  selfById.set(id, (selfById.get(id) ?? 0) + delta);
  total += delta;
});

const shortUrl = (url: string) => url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "nm/").replace(process.cwd() + "/", "");
const functionName = (node: ProfileNode) => `${node.callFrame.functionName || "(anonymous)"} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
const groupName = (node: ProfileNode) => {
  const url = node.callFrame.url;
  if (!url) return node.callFrame.functionName.startsWith("(") ? node.callFrame.functionName : `native ${node.callFrame.functionName}`;
  const match = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return `package ${match[1]}`;
  if (url.startsWith("node:")) return `node ${url.slice(5).split("/").slice(0, 2).join("/")}`;
  return shortUrl(url);
};

const selfByGroup = new Map<string, number>();
const selfByFunction = new Map<string, number>();
const inclusiveByFunction = new Map<string, number>();
for (const [id, time] of selfById) {
  const node = byId.get(id)!;
  selfByGroup.set(groupName(node), (selfByGroup.get(groupName(node)) ?? 0) + time);
  selfByFunction.set(functionName(node), (selfByFunction.get(functionName(node)) ?? 0) + time);
  const seen = new Set<string>();
  for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
    const name = functionName(byId.get(current)!);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusiveByFunction.set(name, (inclusiveByFunction.get(name) ?? 0) + time);
  }
}

const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n## ${title} (of ${(total / 1000).toFixed(0)} ms sampled)\n`);
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * time) / total).toFixed(1).padStart(5)} %  ${name}\n`);
  }
};
print("self time by package / file", selfByGroup);
print("self time by function", selfByFunction);
print("inclusive time by function", inclusiveByFunction);
