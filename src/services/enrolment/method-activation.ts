import type { EnrolmentDeps, EnrolmentPorts } from "./deps.js";
import { fail, ok, type Failure, type Outcome, type Result } from "../../domain/errors.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import type { Method, MethodType, Session, User } from "../../domain/model.js";
import type { RequestContext } from "../deps.js";
import { recordChangeAndForgetTrustedBrowsers } from "../events/audit.js";
import { countedCheck } from "../factors/counted-check.js";
import { effectivePolicyFor } from "../policy/policy.js";
import { prepareRecoveryCodes, storeRecoveryCodes } from "../recovery/recovery-codes.js";
import { settleSuccessfulAttempt } from "../throttle/throttle.js";
import { factorFor } from "../factors/registry.js";
import { endAppSessions } from "../apps/app-sessions.js";

/**
 * Who is enrolling: a signed-in user (their session), or a login whose only
 * way forward is enrolment (P1: no session yet; `finish` moves the login flow
 * inside the activation's transaction, and a failure it returns undoes it all).
 */
export interface EnrolmentOwner {
  user: User;
  session?: Session;
  finish?: (store: EnrolmentPorts) => Promise<Outcome>;
}

/** A returned failure that must undo a transaction's writes: thrown inside, caught outside. */
class RolledBack extends Error {
  constructor(readonly failure: Failure) {
    super(failure.code);
  }
}

/**
 * Stores a new pending method (SECURITY 16: not usable until confirmed) with its
 * secret sealed to its id. One setup at a time: an abandoned earlier one dies.
 * For a reset (M4) it names the method it will replace and keeps that name.
 */
export async function insertPendingMethod(
  deps: EnrolmentDeps,
  input: { user: User; type: MethodType; defaultName: string; secret: Uint8Array; replaces: Method | null; displayHint: string | null; credentialId?: string },
): Promise<Method> {
  const now = deps.clock.now();
  const id = deps.newId();
  const method: Method = {
    id,
    userId: input.user.id,
    type: input.type,
    name: input.replaces?.name ?? input.defaultName,
    status: "pending",
    isDefault: false,
    secretCiphertext: deps.secretBox.seal(input.secret, id),
    lastUsedStep: null,
    replacesMethodId: input.replaces?.id ?? null,
    createdAt: now,
    confirmedAt: null,
    lastUsedAt: null,
    pendingExpiresAt: now + deps.config.enrolmentTtlSeconds * 1000,
    displayHint: input.displayHint,
    ...(input.credentialId ? { credentialId: input.credentialId } : {}),
  };
  await deps.store.transaction(async (store) => {
    await store.methods.deletePendingMethods(input.user.id);
    await store.methods.insertMethod(method);
  });
  return method;
}

/** A method still being set up, owned by this user and not expired; anything else looks the same as missing. */
export async function findPendingMethod(deps: EnrolmentDeps, auth: { user: User }, methodId: string): Promise<Result<{ method: Method }>> {
  const method = await deps.store.methods.findMethod(methodId);
  if (!method || method.userId !== auth.user.id || method.status !== "pending") return fail("enrolment_expired");
  if ((method.pendingExpiresAt ?? 0) <= deps.clock.now()) return fail("enrolment_expired");
  return { ok: true, method };
}

/**
 * Step 2 of every enrolment (SECURITY 16): the code's format first, then the
 * user's own pending method of this type, a slot on the per-user counter, and
 * `verify`, which answers the step to remember (TOTP) or null, or false when the
 * code is wrong. A wrong code is logged, with the lock it may start, because
 * that lock also blocks the user's login (SECURITY 12, A4).
 */
export async function confirmEnrolment(
  deps: EnrolmentDeps,
  auth: EnrolmentOwner,
  input: { methodId: string; code: unknown; type: MethodType },
  context: RequestContext,
  verify: (method: Method, proof: unknown) => Promise<{ step: number | null } | false>,
): Promise<Result<{ recoveryCodes: string[] | null; replaced: boolean }>> {
  const factor = factorFor(input.type);
  const parsed = factor.parseProof(input.code);
  if (!parsed.ok) return parsed;
  const pending = await findPendingMethod(deps, auth, input.methodId);
  if (!pending.ok) return pending;
  if (pending.method.type !== input.type) return fail("enrolment_expired");
  // Settled in the activation's transaction, with the method it pays for.
  const verified = await countedCheck(
    deps,
    auth.user,
    { action: "enrol", factor: input.type, wrong: fail(factor.wrongProof, { field: "code" }), settles: false, context },
    () => verify(pending.method, parsed.proof),
  );
  if (!verified.ok) return verified;
  return activatePendingMethod(deps, auth, pending.method, verified.value.step, context);
}

/**
 * The last step of every enrolment, once the code was right (SECURITY 16):
 * activate the method (it becomes the default, M3; a reset's old method dies
 * now, M4), issue recovery codes with the first method (R1), record events,
 * and end the user's other sessions (SECURITY 30). One transaction.
 */
export async function activatePendingMethod(
  deps: EnrolmentDeps,
  auth: EnrolmentOwner,
  pending: Method,
  step: number | null,
  context: RequestContext,
): Promise<Result<{ recoveryCodes: string[] | null; replaced: boolean }>> {
  // M5: the policy may have changed since the setup began.
  if (!(await effectivePolicyFor(deps, auth.user)).allowedMethods.includes(pending.type)) return fail("method_not_allowed_by_policy");
  const firstMethod = activeMethods(await deps.store.methods.listMethods(auth.user.id)).length === 0;
  // Hashing ten codes is slow: done before the transaction, which must stay short.
  const prepared = firstMethod ? await prepareRecoveryCodes(deps) : null;
  try {
    return await activateInTransaction(deps, auth, pending, step, context, firstMethod, prepared);
  } catch (error) {
    if (error instanceof RolledBack) return error.failure;
    throw error;
  }
}

function activateInTransaction(
  deps: EnrolmentDeps,
  auth: EnrolmentOwner,
  pending: Method,
  step: number | null,
  context: RequestContext,
  firstMethod: boolean,
  prepared: Awaited<ReturnType<typeof prepareRecoveryCodes>> | null,
): Promise<Result<{ recoveryCodes: string[] | null; replaced: boolean }>> {
  return deps.store.transaction(async (store) => {
    // Conditional: a double submit of the same setup activates it once.
    if (!(await store.methods.activateMethod(pending.id, step, deps.clock.now()))) return fail("enrolment_expired");
    await settleSuccessfulAttempt(deps, store, auth.user.id, context);
    if (prepared) await storeRecoveryCodes(deps, store, auth.user, prepared, context);
    const detail = { type: pending.type, name: pending.name };
    await recordChangeAndForgetTrustedBrowsers(deps, store, { type: pending.replacesMethodId ? "method.reset" : "method.added", subject: auth.user, context, detail });
    if (firstMethod) await recordChangeAndForgetTrustedBrowsers(deps, store, { type: "two_factor.enabled", subject: auth.user, context, detail: { type: pending.type } });
    // SECURITY 30: a new factor ends every other session (a pending login has none of its own yet).
    await store.sessions.revokeUserSessions(auth.user.id, deps.clock.now(), auth.session?.id);
    await endAppSessions(deps, store, { userId: auth.user.id, ...(auth.session ? { exceptSessionId: auth.session.id } : {}) });
    if (auth.session) await store.sessions.markSessionAuthenticated(auth.session.id, deps.clock.now());
    const refused = auth.finish ? await auth.finish(store) : ok;
    if (!refused.ok) throw new RolledBack(refused);
    return { ok: true, recoveryCodes: prepared?.codes ?? null, replaced: pending.replacesMethodId !== null };
  });
}
