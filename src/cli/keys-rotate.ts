import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { rotateSealedValues } from "../services/keys/key-rotation.js";
import type { CommandIo } from "./command-io.js";
import { withRuntime } from "./runtime.js";

const maxBatchSize = 100_000;

/**
 * keys:rotate — re-seals every value not under the current key
 * (TWOSTEP_ENCRYPTION_KEY_ID), a batch per transaction. Safe to run while
 * servers run and to run again after a crash. Prints counts and row ids, never
 * a key or a plaintext. Exits 1 if any value does not open.
 */
export async function keysRotateCommand(args: string[], io: CommandIo): Promise<number> {
  let size: string;
  try {
    size = parseArgs({ args, options: { "batch-size": { type: "string", default: "500" } }, strict: true }).values["batch-size"];
  } catch (error) {
    io.out(`keys:rotate: ${(error as Error).message}`);
    return 2;
  }
  const batchSize = Number(size);
  if (!/^\d+$/.test(size) || batchSize < 1 || batchSize > maxBatchSize) {
    io.out(`--batch-size must be a whole number from 1 to ${maxBatchSize}`);
    return 2;
  }
  return withRuntime(async ({ deps }) => {
    // Test-only: holds each batch open before its commit, so a test can kill the process inside one.
    const pause = deps.config.environment === "test" ? process.env.TWOSTEP_KEYS_ROTATE_BATCH_PAUSE_MS : undefined;
    if (pause !== undefined && !/^\d+$/.test(pause)) {
      io.out("TWOSTEP_KEYS_ROTATE_BATCH_PAUSE_MS must be a whole number of milliseconds");
      return 2;
    }
    io.out(`Rotating sealed values to key "${deps.secretBox.currentKeyId}", ${batchSize} a batch.`);
    const result = await rotateSealedValues(deps, {
      batchSize,
      onBatch: (progress) =>
        io.out(`batch ${progress.batch} (${progress.column}): ${progress.rotated} rotated, ${progress.skipped} skipped, ${progress.failed} failed`),
      ...(pause ? { beforeCommit: () => sleep(Number(pause)) } : {}),
    });
    for (const failure of result.failed) io.out(`failed: ${failure.column} row ${failure.id}: ${failure.reason}`);
    io.out(`Done: ${result.rotated} rotated, ${result.skipped} skipped (changed by a running server meanwhile), ${result.failed.length} failed.`);
    if (result.skipped > 0) io.out("Skipped values were left as the server wrote them; twostep keys:status shows whether any is still under an old key.");
    if (result.failed.length > 0) {
      io.out("Some values did not open: configure the key they name in TWOSTEP_PREVIOUS_ENCRYPTION_KEYS and run again, or remove those methods.");
      return 1;
    }
    return 0;
  });
}
