import { fail, type Result } from "../domain/errors.js";
import { activeMethods } from "../domain/login-flow/flow.js";
import type { Method } from "../domain/model.js";
import { createTotpKeyUri, encodeBase32Key, groupBase32Key } from "../domain/otp/key-uri.js";
import { findTotpStep } from "../domain/otp/totp.js";
import type { RequestContext, ServiceDeps } from "./deps.js";
import { recordEvent } from "./audit.js";
import { effectivePolicyFor } from "./policy.js";
import { prepareRecoveryCodes, storeRecoveryCodes } from "./recovery-codes.js";
import { reauthenticate } from "./reauthenticate.js";
import type { Authenticated } from "./sessions.js";
import { settleSuccessfulAttempt, takeAttempt } from "./throttle.js";

/** SECURITY 13: 160-bit keys from the CSPRNG, one per method. */
const totpKeyBytes = 20;

/** Step 1 of M1: the password again, then a pending method with a new key. */
export async function beginTotpEnrolment(deps: ServiceDeps, auth: Authenticated, input: { password: string }, context: RequestContext): Promise<Result<{ methodId: string }>> {
  const policy = await effectivePolicyFor(deps, auth.user);
  if (!policy.allowedMethods.includes("totp")) return fail("method_not_allowed_by_policy");
  const methods = await deps.store.listMethods(auth.user.id);
  if (activeMethods(methods).some((method) => method.type === "totp")) return fail("two_factor_already_enabled");
  const wrong = await reauthenticate(deps, auth.user, { password: input.password }, context);
  if (wrong) return wrong;
  const now = deps.clock.now();
  const id = deps.newId();
  const key = deps.randomBytes(totpKeyBytes);
  const method: Method = {
    id,
    userId: auth.user.id,
    type: "totp",
    name: "Authenticator app",
    status: "pending",
    isDefault: false,
    secretCiphertext: deps.secretBox.seal(key, id),
    lastUsedStep: null,
    replacesMethodId: null,
    createdAt: now,
    confirmedAt: null,
    lastUsedAt: null,
    pendingExpiresAt: now + deps.config.enrolmentTtlSeconds * 1000,
  };
  await deps.store.transaction(async (store) => {
    // One setup at a time: an abandoned earlier one dies.
    await store.deletePendingMethods(auth.user.id);
    await store.insertMethod(method);
  });
  return { ok: true, methodId: id };
}

export interface TotpEnrolmentView {
  methodId: string;
  keyBase32: string;
  keyGrouped: string;
  keyUri: string;
  expiresAt: number;
}

/** The key, during enrolment only (SECURITY 18): only for the user's own pending, unexpired method. */
export async function showTotpEnrolment(deps: ServiceDeps, auth: Authenticated, methodId: string): Promise<Result<TotpEnrolmentView>> {
  const method = await findPendingMethod(deps, auth, methodId);
  if (!method.ok) return method;
  const key = deps.secretBox.open(method.method.secretCiphertext, method.method.id);
  const keyBase32 = encodeBase32Key(key);
  return {
    ok: true,
    methodId,
    keyBase32,
    keyGrouped: groupBase32Key(keyBase32),
    keyUri: createTotpKeyUri(deps.config.issuer, auth.user.email, key),
    expiresAt: method.method.pendingExpiresAt!,
  };
}

/**
 * Step 2 of M1: a current code makes the method active (SECURITY 16). On the
 * first method the user also gets recovery codes (R1). Other sessions end
 * (SECURITY 30).
 */
export async function confirmTotpEnrolment(
  deps: ServiceDeps,
  auth: Authenticated,
  input: { methodId: string; code: string },
  context: RequestContext,
): Promise<Result<{ recoveryCodes: string[] | null }>> {
  const code = input.code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(code)) return fail("invalid_code_format", { field: "code" });
  const pending = await findPendingMethod(deps, auth, input.methodId);
  if (!pending.ok) return pending;
  const ticket = await takeAttempt(deps, deps.store, auth.user.id, context);
  if ("ok" in ticket) return ticket;
  const key = deps.secretBox.open(pending.method.secretCiphertext, pending.method.id);
  const now = deps.clock.now();
  const step = findTotpStep(key, code, { nowInMilliseconds: now, windowSteps: deps.config.totpWindowSteps, lastUsedStep: null });
  if (step === null) return fail("invalid_code", { field: "code" });
  const firstMethod = activeMethods(await deps.store.listMethods(auth.user.id)).length === 0;
  const prepared = firstMethod ? await prepareRecoveryCodes(deps) : null;
  return deps.store.transaction(async (store) => {
    // Conditional: a double submit of the same setup activates it once.
    if (!(await store.activateMethod(pending.method.id, step, deps.clock.now()))) return fail("enrolment_expired");
    await settleSuccessfulAttempt(deps, store, auth.user.id, context);
    if (prepared) await storeRecoveryCodes(deps, store, auth.user, prepared, context);
    await recordEvent(deps, store, { type: "method.added", subject: auth.user, context, detail: { type: "totp" } });
    if (firstMethod) await recordEvent(deps, store, { type: "two_factor.enabled", subject: auth.user, context, detail: { type: "totp" } });
    await store.revokeUserSessions(auth.user.id, deps.clock.now(), auth.session.id);
    await store.markSessionAuthenticated(auth.session.id, deps.clock.now());
    return { ok: true, recoveryCodes: prepared?.codes ?? null };
  });
}

async function findPendingMethod(deps: ServiceDeps, auth: Authenticated, methodId: string): Promise<Result<{ method: Method }>> {
  const method = await deps.store.findMethod(methodId);
  // Someone else's method looks exactly like a missing one.
  if (!method || method.userId !== auth.user.id || method.status !== "pending") return fail("enrolment_expired");
  if ((method.pendingExpiresAt ?? 0) <= deps.clock.now()) return fail("enrolment_expired");
  return { ok: true, method };
}
