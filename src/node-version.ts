/**
 * The Node.js twostep runs on. Node 20 gets no security fixes since 2026-04-30: twostep needs
 * 24 (package.json engines.node, the current LTS). The entry points (server, command line) check before they load anything else,
 * so an older Node prints one line saying what it found and what is needed, never a stack trace
 * from a missing API or a native module built for another ABI.
 */
export const requiredNodeMajor = 24;

/** The refusal for `version` (as `process.version` says it), or null when it is new enough;
 * `start` names the command that runs twostep on the right Node. */
export function nodeVersionRefusal(version: string, executable: string, start: string): string | null {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? 0);
  if (major >= requiredNodeMajor) return null;
  return (
    `twostep needs Node.js ${requiredNodeMajor} or later; this is Node.js ${version} (${executable}). ` +
    `Run \`npm run setup\` (it brings Node.js ${requiredNodeMajor} into runtime/ where the machine's is older) ` +
    `and run ${start}, or install Node.js ${requiredNodeMajor}.`
  );
}

/** Exits with status 1 and the one-line refusal when this process runs on an older Node. */
export function refuseOlderNode(start: string): void {
  const refusal = nodeVersionRefusal(process.version, process.execPath, start);
  if (refusal === null) return;
  process.stderr.write(refusal + "\n");
  process.exit(1);
}
