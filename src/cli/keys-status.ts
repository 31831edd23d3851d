import { parseArgs } from "node:util";
import { keyStatus } from "../services/keys/key-rotation.js";
import type { CommandIo } from "./command-io.js";
import { withRuntime } from "./runtime.js";

const count = (n: number) => `${n} ${n === 1 ? "value" : "values"}`;

/**
 * keys:status — how many sealed values each configured key still holds, which
 * previous keys can be dropped, and any value under a key that is not
 * configured (exit 1: those cannot be opened). Prints key ids only, never keys.
 */
export async function keysStatusCommand(args: string[], io: CommandIo): Promise<number> {
  try {
    parseArgs({ args, options: {}, strict: true });
  } catch (error) {
    io.out(`keys:status: ${(error as Error).message}`);
    return 2;
  }
  return withRuntime(async ({ deps }) => {
    const status = await keyStatus(deps);
    for (const key of status.keys) {
      if (key.role === "current") io.out(`${key.keyId} (current): ${count(key.values)}`);
      else if (key.removable) io.out(`${key.keyId} (previous): ${count(key.values)} — can be removed from TWOSTEP_PREVIOUS_ENCRYPTION_KEYS`);
      else io.out(`${key.keyId} (previous): ${count(key.values)} — still needed; run twostep keys:rotate`);
    }
    for (const stray of status.unconfigured) {
      io.out(
        stray.keyId === null
          ? `(not a sealed value): ${count(stray.values)} — cannot be opened`
          : `${stray.keyId} (not configured): ${count(stray.values)} — cannot be opened; add the key to TWOSTEP_PREVIOUS_ENCRYPTION_KEYS, then run twostep keys:rotate`,
      );
    }
    return status.unconfigured.length > 0 ? 1 : 0;
  });
}
