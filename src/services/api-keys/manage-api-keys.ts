import type { ApiKeysDeps } from "./deps.js";
import { fail, ok, type Result } from "../../domain/errors.js";
import type { ApiKey } from "../../store/store.js";
import { authorize, findSubjectUser, requireStepUp, type Actor, type SubjectUser } from "../access/access.js";
import { recordEvent } from "../events/audit.js";
import type { RequestContext } from "../deps.js";

export type ApiKeyStatus = "active" | "expired" | "revoked";

/** A key as lists show it: never the key, never its hash. */
export interface ApiKeyView extends ApiKey {
  status: ApiKeyStatus;
}

export function apiKeyStatus(key: ApiKey, now: number): ApiKeyStatus {
  if (key.revokedAt !== null) return "revoked";
  return key.expiresAt !== null && key.expiresAt <= now ? "expired" : "active";
}

/**
 * Whose keys the actor may see and revoke: their own, or as an account admin
 * a user's of their account (the access table's `api_key.revoke`). Only a
 * session manages keys (SECURITY 32: a key cannot touch keys).
 */
async function keyOwner(deps: ApiKeysDeps, actor: Actor, userId: string, context: RequestContext): Promise<Result<{ owner: SubjectUser }>> {
  if (actor.via !== "session") return fail("forbidden");
  const owner = userId === actor.user.id ? { user: actor.user, account: actor.account } : await findSubjectUser(deps, userId);
  if (!owner) return fail("user_not_found");
  const denied = await authorize(deps, actor, "api_key.revoke", owner, context);
  return denied.ok ? { ok: true, owner } : denied;
}

export async function listApiKeys(deps: ApiKeysDeps, actor: Actor, context: RequestContext, userId: string = actor.user.id): Promise<Result<{ owner: SubjectUser; keys: ApiKeyView[] }>> {
  const found = await keyOwner(deps, actor, userId, context);
  if (!found.ok) return found;
  const { owner } = found;
  const now = deps.clock.now();
  const keys = await deps.store.apiKeys.listUserApiKeys(owner.user.id);
  return { ok: true, owner, keys: keys.map((key) => ({ ...key, status: apiKeyStatus(key, now) })) };
}

/**
 * Revokes a key at once (one conditional write; revoking twice is not an
 * error and writes nothing the second time). `ownerId`, when a route names the
 * user, must be the key's owner. The owner is told by email, with who did it.
 * Revoking someone else's key is an admin action on another user: it needs a
 * fresh step-up (one's own key, a way out of a leak, does not).
 */
export async function revokeApiKey(
  deps: ApiKeysDeps,
  actor: Actor,
  keyId: string,
  context: RequestContext,
  options: { ownerId?: string } = {},
): Promise<Result<{ revoked: boolean; apiKey: ApiKey }>> {
  const apiKey = await deps.store.apiKeys.findApiKeyById(keyId);
  if (!apiKey || (options.ownerId !== undefined && apiKey.userId !== options.ownerId)) return fail("api_key_not_found");
  const found = await keyOwner(deps, actor, apiKey.userId, context);
  if (!found.ok) return found.code === "user_not_found" ? fail("api_key_not_found") : found;
  const { owner } = found;
  const stepUp = owner.user.id === actor.user.id ? ok : await requireStepUp(deps, actor, "admin");
  if (!stepUp.ok) return stepUp;
  const now = deps.clock.now();
  const revoked = await deps.store.transaction(async (store) => {
    if (!(await store.apiKeys.revokeApiKey(apiKey.id, actor.user.id, now))) return false;
    await recordEvent(deps, store, { type: "api_key.revoked", subject: owner.user, actor: actor.user, context, detail: { name: apiKey.name, id: apiKey.id } });
    return true;
  });
  return { ok: true, revoked, apiKey: revoked ? { ...apiKey, revokedAt: now, revokedByUserId: actor.user.id } : apiKey };
}
