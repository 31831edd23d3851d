import { refuseOlderNode } from "../node-version.js";

/** Entry point of the `twostep` command (bin/twostep.js). On a Node older than 24 it prints one
 * line and exits 1 before loading the commands. */
refuseOlderNode("`npx twostep …`");
const { runCli } = await import("./index.js");
runCli(process.argv.slice(2), { out: (line) => process.stdout.write(line + "\n") })
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    process.stderr.write(`twostep: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
