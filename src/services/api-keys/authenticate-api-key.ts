import type { ApiKeysDeps } from "./deps.js";
import { isApiKeyShaped } from "../../security/api-keys.js";
import { hashToken } from "../../security/tokens.js";
import type { Actor } from "../access/access.js";
export { looksLikeApiKey } from "../../security/api-keys.js";

/**
 * The platform API's credential (API1): a live key of an active user becomes
 * an actor with no session. Such an actor never meets a 2FA prompt, and
 * every service that needs a session or step-up refuses it (SECURITY 32).
 * The key is looked up by its hash only; its use is recorded cheaply.
 */
export async function authenticateApiKey(deps: ApiKeysDeps, key: unknown): Promise<Actor | undefined> {
  if (!isApiKeyShaped(key)) return undefined;
  const now = deps.clock.now();
  const apiKey = await deps.store.apiKeys.findUsableApiKey(hashToken(key), now);
  if (!apiKey) return undefined;
  const user = await deps.store.accounts.findUserById(apiKey.userId);
  if (!user || !user.active) return undefined;
  const account = await deps.store.accounts.findAccountById(user.accountId);
  if (!account) return undefined;
  await deps.store.apiKeys.touchApiKey(apiKey.id, now);
  return { user, account, session: null, via: "api_key" };
}
