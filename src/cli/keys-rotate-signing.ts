import { parseArgs } from "node:util";
import { rotateSigningKey } from "../services/apps/signing-keys.js";
import type { CommandIo } from "./command-io.js";
import { withRuntime } from "./runtime.js";

/**
 * keys:rotate-signing — adds a new signing key for the OpenID Connect
 * provider. Every instance publishes it within TWOSTEP_OIDC_KEY_REFRESH_SECONDS
 * and it signs after twice that; the old key stays published until the tokens
 * it signed have expired. Prints key ids only, never a key.
 */
export async function keysRotateSigningCommand(args: string[], io: CommandIo): Promise<number> {
  try {
    parseArgs({ args, options: {}, strict: true });
  } catch (error) {
    io.out(`keys:rotate-signing: ${(error as Error).message}`);
    return 2;
  }
  return withRuntime(async ({ deps }) => {
    const rotation = await rotateSigningKey(deps);
    io.out(`Added signing key ${rotation.newKeyId}; it signs from ${new Date(rotation.signsFrom).toISOString()}.`);
    io.out("The previous key stays published until the tokens it signed have expired.");
    if (rotation.deletedKeyIds.length > 0) io.out(`Deleted keys no token needs any more: ${rotation.deletedKeyIds.join(", ")}.`);
    return 0;
  });
}
