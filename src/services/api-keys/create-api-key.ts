import type { ApiKeysDeps } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import { generateApiKey } from "../../security/api-keys.js";
import { hashToken } from "../../security/tokens.js";
import type { ApiKey } from "../../store/store.js";
import { authorize, requireStepUp, type Actor } from "../access/access.js";
import { recordEvent } from "../events/audit.js";
import type { RequestContext } from "../deps.js";

export const apiKeyNameMaxLength = 64;
export const apiKeyMaxDays = 365;
/** The choices the settings page offers; the API takes any whole number of days up to the maximum. */
export const apiKeyExpiryChoices = [30, 90, 365] as const;

/**
 * API1, SECURITY 32: a key is made only through a full, fresh session: a
 * session exists only after every required factor (L5), and its strongest
 * factor (the second, or the password without 2FA) must be recent (step-up),
 * so a stolen password or an old session alone cannot mint a key that bypasses 2FA. An API key never makes
 * a key (`requireStepUp` refuses every actor that is not a session). The key
 * is returned once here and stored only as its SHA-256 hash.
 */
export async function createApiKey(
  deps: ApiKeysDeps,
  actor: Actor,
  input: { name: string; expiresInDays: number },
  context: RequestContext,
): Promise<Result<{ key: string; apiKey: ApiKey }>> {
  const stepUp = await requireStepUp(deps, actor, "admin");
  if (!stepUp.ok) return stepUp;
  const denied = await authorize(deps, actor, "api_key.create", actor, context);
  if (!denied.ok) return denied;
  const name = input.name.trim();
  if (name.length < 1 || name.length > apiKeyNameMaxLength) return fail("invalid_api_key_name", { field: "name" });
  const days = input.expiresInDays;
  if (!Number.isInteger(days) || days < 1 || days > apiKeyMaxDays) return fail("invalid_api_key_expiry", { field: "expiresInDays" });

  const now = deps.clock.now();
  const made = generateApiKey(deps.randomBytes);
  const apiKey: ApiKey = {
    id: deps.newId(),
    userId: actor.user.id,
    name,
    displayPrefix: made.displayPrefix,
    last4: made.last4,
    createdAt: now,
    lastUsedAt: null,
    expiresAt: now + days * 86_400_000,
    revokedAt: null,
    revokedByUserId: null,
  };
  await deps.store.transaction(async (store) => {
    await store.apiKeys.insertApiKey({ ...apiKey, expiresAt: apiKey.expiresAt!, keyHash: hashToken(made.key) });
    // The event and its email name the key, never hold it.
    await recordEvent(deps, store, { type: "api_key.created", subject: actor.user, context, detail: { name, id: apiKey.id } });
  });
  return { ok: true, key: made.key, apiKey };
}
