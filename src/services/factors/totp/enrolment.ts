import type { FactorsDeps } from "../deps.js";
import { confirmFirstMethodWithCode, type FactorEnrolment } from "../factor-enrolment.js";
import { fail, ok, type Result } from "../../../domain/errors.js";
import { activeMethods } from "../../../domain/login-flow/flow.js";
import type { Method, User } from "../../../domain/model.js";
import { createTotpKeyUri, encodeBase32Key, groupBase32Key } from "../../../domain/otp/key-uri.js";
import { findTotpStep } from "../../../domain/otp/totp.js";
import type { RequestContext } from "../../deps.js";
import { confirmEnrolment, findPendingMethod, insertPendingMethod, type EnrolmentOwner } from "../../enrolment/method-activation.js";
import { effectivePolicyFor } from "../../policy/policy.js";
import { reauthenticate } from "../../sessions/reauthenticate.js";
import type { Authenticated } from "../../sessions/sessions.js";
import { requireOwnStepUp } from "../../sessions/step-up.js";

/** SECURITY 13: 160-bit keys from the CSPRNG, one per method. */
const totpKeyBytes = 20;

/** Step 1 of M1: the password again, then a pending method with a new key. */
export async function beginTotpEnrolment(deps: FactorsDeps, auth: Authenticated, input: { password: string }, context: RequestContext): Promise<Result<{ methodId: string }>> {
  const policy = await effectivePolicyFor(deps, auth.user);
  if (!policy.allowedMethods.includes("totp")) return fail("method_not_allowed_by_policy");
  const methods = await deps.store.methods.listMethods(auth.user.id);
  if (activeMethods(methods).some((method) => method.type === "totp")) return fail("two_factor_already_enabled");
  // Adding a factor when 2FA is on needs the second step within the window too (SECURITY 17).
  const stale = await requireOwnStepUp(deps, auth);
  if (!stale.ok) return stale;
  const wrong = await reauthenticate(deps, auth, { password: input.password }, context);
  if (!wrong.ok) return wrong;
  return { ok: true, methodId: await createPendingTotpMethod(deps, auth.user, null) };
}

/** A pending TOTP method with a new key; for a reset (M4) it names the method it will replace. */
export async function createPendingTotpMethod(deps: FactorsDeps, user: User, replaces: Method | null): Promise<string> {
  const secret = deps.randomBytes(totpKeyBytes);
  const method = await insertPendingMethod(deps, { user, type: "totp", defaultName: "Authenticator app", secret, replaces, displayHint: null });
  secret.fill(0);
  return method.id;
}

export interface TotpEnrolmentView {
  methodId: string;
  keyBase32: string;
  keyGrouped: string;
  keyUri: string;
  expiresAt: number;
}

/** The key, during enrolment only (SECURITY 18): only for the user's own pending, unexpired method. */
export async function showTotpEnrolment(deps: FactorsDeps, auth: { user: User }, methodId: string): Promise<Result<TotpEnrolmentView>> {
  const pending = await findPendingMethod(deps, auth, methodId);
  if (!pending.ok) return pending;
  if (pending.method.type !== "totp") return fail("enrolment_expired");
  const key = deps.secretBox.open(pending.method.secretCiphertext, pending.method.id);
  const keyBase32 = encodeBase32Key(key);
  return {
    ok: true,
    methodId,
    keyBase32,
    keyGrouped: groupBase32Key(keyBase32),
    keyUri: createTotpKeyUri(deps.config.issuer, auth.user.email, key),
    expiresAt: pending.method.pendingExpiresAt!,
  };
}

/** Step 2 of M1: a current code from the app makes the method active; its step becomes the replay floor. */
export function confirmTotpEnrolment(
  deps: FactorsDeps,
  auth: EnrolmentOwner,
  input: { methodId: string; code: string },
  context: RequestContext,
): Promise<Result<{ recoveryCodes: string[] | null; replaced: boolean }>> {
  return confirmEnrolment(deps, auth, { ...input, type: "totp" }, context, async (method, proof) => {
    const key = deps.secretBox.open(method.secretCiphertext, method.id);
    // The proof was parsed by the TOTP factor: a six-digit string.
    const step = findTotpStep(key, proof as string, { nowInMilliseconds: deps.clock.now(), windowSteps: deps.config.totpWindowSteps, lastUsedStep: null });
    key.fill(0);
    return step === null ? false : { step };
  });
}

/** The registry's view of this enrolment (factors/enrolments.ts): confirmed with a code; a reset is a new key, nothing more to ask. */
export const totpEnrolment = {
  confirmWithCode: confirmTotpEnrolment,
  reset: {
    fields: [],
    check: async () => ok,
    begin: async (deps, user, old) => ({ ok: true, methodId: await createPendingTotpMethod(deps, user, old), codeSentTo: null }),
  },
  /** P1 (required-enrolment.ts): a pending key for the login's user, its QR page, then its first code. */
  firstMethod: {
    begin: async (deps, login): Promise<Result<{ methodId: string }>> => ({ ok: true, methodId: await createPendingTotpMethod(deps, login.user, null) }),
    show: (deps, login, methodId: string) => showTotpEnrolment(deps, login, methodId),
    confirm: confirmFirstMethodWithCode(confirmTotpEnrolment),
  },
} satisfies FactorEnrolment;
