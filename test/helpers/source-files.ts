import { readdirSync } from "node:fs";
import { join } from "node:path";

/** Every file under `folder` (absolute paths, recursively) whose name `keep` accepts: the source scans of the architecture and security tests. */
export function filesUnder(folder: string, keep: (name: string) => boolean = (name) => name.endsWith(".ts")): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return filesUnder(path, keep);
    return keep(entry.name) ? [path] : [];
  });
}
