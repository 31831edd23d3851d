import type { EnrolmentDeps } from "./deps.js";
import { fail, ok, type Outcome, type Result } from "../../domain/errors.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import type { Method, MethodType } from "../../domain/model.js";
import type { RequestContext } from "../deps.js";
import { recordChangeAndForgetTrustedBrowsers, recordEvent } from "../events/audit.js";
import { countedCheck } from "../factors/counted-check.js";
import { enrolmentFor, type ResetBegun, type ResetInput } from "../factors/enrolments.js";
import { factorFor } from "../factors/registry.js";
import { effectivePolicyFor } from "../policy/policy.js";
import type { Authenticated } from "../sessions/sessions.js";
import { requireOwnStepUp } from "../sessions/step-up.js";
import { removeTwoFactor } from "./two-factor-removal.js";
import { endAppSessions } from "../apps/app-sessions.js";

/**
 * M4: managing enrolled methods — make default, rename, reset, delete. Each is
 * a change to 2FA settings (SECURITY 17, 29): make default and rename need the
 * step-up window; reset and delete need a current code of that very method,
 * which is a second factor right now and so stands in for the window.
 */

async function ownActiveMethod(deps: EnrolmentDeps, auth: Authenticated, methodId: string): Promise<Result<{ method: Method }>> {
  const method = await deps.store.methods.findMethod(methodId);
  // Another user's method answers exactly like a missing one.
  if (!method || method.userId !== auth.user.id || method.status !== "active") return fail("method_not_found");
  return { ok: true, method };
}

export async function makeDefaultMethod(deps: EnrolmentDeps, auth: Authenticated, methodId: string, context: RequestContext): Promise<Result<{}>> {
  const found = await ownActiveMethod(deps, auth, methodId);
  if (!found.ok) return found;
  const stale = await requireOwnStepUp(deps, auth);
  if (!stale.ok) return stale;
  if (found.method.isDefault) return { ok: true };
  await deps.store.transaction(async (store) => {
    await store.methods.setDefaultMethod(auth.user.id, methodId);
    await recordEvent(deps, store, { type: "method.made_default", subject: auth.user, context, detail: { type: found.method.type, name: found.method.name } });
  });
  return { ok: true };
}

/** Renaming is logged with both names: the name is what the login page shows, so a thief could relabel a method to mislead. */
export async function renameMethod(deps: EnrolmentDeps, auth: Authenticated, methodId: string, name: string, context: RequestContext): Promise<Result<{}>> {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 64 || /[\u0000-\u001f]/.test(trimmed)) return fail("invalid_method_name", { field: "name" });
  const found = await ownActiveMethod(deps, auth, methodId);
  if (!found.ok) return found;
  const stale = await requireOwnStepUp(deps, auth);
  if (!stale.ok) return stale;
  if (found.method.name === trimmed) return { ok: true };
  await deps.store.transaction(async (store) => {
    await store.methods.renameMethod(methodId, trimmed);
    await recordEvent(deps, store, { type: "method.renamed", subject: auth.user, context, detail: { type: found.method.type, oldName: found.method.name, newName: trimmed } });
  });
  return { ok: true };
}

/** For an SMS method: text a code to confirm a reset or delete ("verify", bound to this session). */
export async function sendMethodVerificationCode(deps: EnrolmentDeps, auth: Authenticated, methodId: string, context: RequestContext): Promise<Result<{ expiresAt: number }>> {
  const found = await ownActiveMethod(deps, auth, methodId);
  if (!found.ok) return found;
  const started = await factorFor(found.method.type).startChallenge(deps, { user: auth.user, method: found.method, binding: { purpose: "verify", bindingId: auth.session.id }, context });
  return started ?? fail("invalid_request");
}

/** "Verify a current code of that method" (M4): throttled on the user's one counter. */
async function verifyCodeOfMethod(deps: EnrolmentDeps, auth: Authenticated, method: Method, rawProof: unknown, context: RequestContext): Promise<Outcome> {
  const factor = factorFor(method.type);
  const parsed = factor.parseProof(rawProof);
  if (!parsed.ok) return parsed;
  const checked = await countedCheck(
    deps,
    auth.user,
    { action: "verify_method", factor: method.type, wrong: fail(factor.wrongProof, { field: "code" }), context },
    () => factor.verifyAndConsume(deps, deps.store, method, parsed.proof, { purpose: "verify", bindingId: auth.session.id }),
  );
  return checked.ok ? ok : checked;
}

/**
 * Deletes a method after a current code of it. Deleting the last one turns 2FA
 * off (every recovery code dies); otherwise, if it was the default, the most
 * recently enabled remaining method becomes the default.
 */
export async function deleteMethod(
  deps: EnrolmentDeps,
  auth: Authenticated,
  input: { methodId: string; code?: string | undefined },
  context: RequestContext,
): Promise<Result<{ twoFactorDisabled: boolean }>> {
  const found = await ownActiveMethod(deps, auth, input.methodId);
  if (!found.ok) return found;
  // A key is mostly removed because it was lost: a recent second factor of any method stands in for it.
  const wrong =
    factorFor(found.method.type).removal === "recent_second_factor"
      ? await requireOwnStepUp(deps, auth)
      : await verifyCodeOfMethod(deps, auth, found.method, input.code, context);
  if (!wrong.ok) return wrong;
  const others = activeMethods(await deps.store.methods.listMethods(auth.user.id)).filter((method) => method.id !== found.method.id);
  return deps.store.transaction(async (store) => {
    if (others.length === 0) {
      await removeTwoFactor(deps, store, auth.user, context, { reason: "last_method_deleted", keepSessionId: auth.session.id });
      return { ok: true, twoFactorDisabled: true };
    }
    await store.methods.deleteMethod(found.method.id);
    if (found.method.isDefault) {
      const next = [...others].sort((a, b) => (b.confirmedAt ?? 0) - (a.confirmedAt ?? 0))[0]!;
      await store.methods.setDefaultMethod(auth.user.id, next.id);
    }
    await store.sessions.revokeUserSessions(auth.user.id, deps.clock.now(), auth.session.id);
    await endAppSessions(deps, store, { userId: auth.user.id, exceptSessionId: auth.session.id });
    await recordChangeAndForgetTrustedBrowsers(deps, store, { type: "method.removed", subject: auth.user, context, detail: { type: found.method.type, name: found.method.name } });
    return { ok: true, twoFactorDisabled: false };
  });
}

export type ResetStarted = { ok: true; type: MethodType } & ResetBegun;

/**
 * M4 reset: a current code of the method, then the same setup again. The new
 * method is pending and names the old one, which keeps working until the new
 * one is confirmed (store.methods.activateMethod retires it then). What the
 * setup needs beside the code (SMS: the new number) is the factor's own
 * (factors/enrolments.ts); a factor that is never reset (a key) answers as if
 * the method were missing.
 */
export async function resetMethod(
  deps: EnrolmentDeps,
  auth: Authenticated,
  input: { methodId: string; code: string } & ResetInput,
  context: RequestContext,
): Promise<Result<ResetStarted>> {
  const found = await ownActiveMethod(deps, auth, input.methodId);
  if (!found.ok) return found;
  const reset = enrolmentFor(found.method.type).reset;
  if (!reset) return fail("method_not_found");
  // M5: a reset sets the method up again, so the policy must still allow it.
  if (!(await effectivePolicyFor(deps, auth.user)).allowedMethods.includes(found.method.type)) return fail("method_not_allowed_by_policy");
  // What the setup needs is checked before the code is spent: bad input changes nothing.
  const bad = await reset.check(deps, input);
  if (!bad.ok) return bad;
  const wrong = await verifyCodeOfMethod(deps, auth, found.method, input.code, context);
  if (!wrong.ok) return wrong;
  const begun = await reset.begin(deps, auth.user, found.method, input, context);
  return begun.ok ? { ...begun, type: found.method.type } : begun;
}
