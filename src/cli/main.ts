import { runCli } from "./index.js";

/** Entry point of the `twostep` command (bin/twostep.js). */
runCli(process.argv.slice(2), { out: (line) => process.stdout.write(line + "\n") })
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    process.stderr.write(`twostep: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
