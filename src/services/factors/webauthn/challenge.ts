import type { FactorsDeps } from "../deps.js";
import { hashToken } from "../../../security/tokens.js";
import type { User } from "../../../domain/model.js";
import type { ChallengeBinding } from "../factor.js";
import { promptTimeoutMilliseconds } from "./relying-party.js";

/**
 * A new random challenge (256 bits) for `binding`, of which only the hash is
 * stored; any earlier unused one for the same binding stops working. `build`
 * makes the browser's options around it (for a login or for a new key).
 */
export async function issueChallenge<Options extends { challenge: string }>(
  deps: FactorsDeps,
  user: User,
  binding: ChallengeBinding,
  build: (challenge: Uint8Array<ArrayBuffer>, timeout: number) => Promise<Options>,
): Promise<{ expiresAt: number; browserOptions: Options }> {
  const timeout = promptTimeoutMilliseconds(deps);
  // The library puts the bytes in the options base64url-encoded: that text is what the browser signs and sends back.
  const browserOptions = await build(new Uint8Array(deps.randomBytes(32)), timeout);
  const challenge = browserOptions.challenge;
  const now = deps.clock.now();
  const expiresAt = now + timeout;
  await deps.store.challenges.replaceChallenge({ id: deps.newId(), userId: user.id, purpose: binding.purpose, bindingId: binding.bindingId, challengeHash: hashToken(challenge), createdAt: now, expiresAt });
  return { expiresAt, browserOptions };
}
