import type { FactorsDeps } from "../deps.js";
import { confirmFirstMethodWithCode, type FactorEnrolment } from "../factor-enrolment.js";
import { fail, ok, type Result } from "../../../domain/errors.js";
import { activeMethods } from "../../../domain/login-flow/flow.js";
import type { Method, User } from "../../../domain/model.js";
import { maskPhoneNumber } from "../../../domain/phone.js";
import { parseMobileNumber } from "./phone-numbers.js";
import type { RequestContext } from "../../deps.js";
import { smsFactor } from "./factor.js";
import { confirmEnrolment, findPendingMethod, insertPendingMethod, type EnrolmentOwner } from "../../enrolment/method-activation.js";
import { effectivePolicyFor } from "../../policy/policy.js";
import { reauthenticate } from "../../sessions/reauthenticate.js";
import type { Authenticated } from "../../sessions/sessions.js";
import { requireOwnStepUp } from "../../sessions/step-up.js";
import { sendSmsCode } from "./sms-codes.js";

export interface SmsEnrolmentStarted {
  methodId: string;
  maskedPhone: string;
  codeExpiresAt: number;
}

/** M2 step 1: password + mobile number → a pending SMS method and a code sent to it. */
export async function beginSmsEnrolment(
  deps: FactorsDeps,
  auth: Authenticated,
  input: { password: string; phoneNumber: string },
  context: RequestContext,
): Promise<Result<SmsEnrolmentStarted>> {
  const policy = await effectivePolicyFor(deps, auth.user);
  if (!policy.allowedMethods.includes("sms")) return fail("method_not_allowed_by_policy");
  if (activeMethods(await deps.store.methods.listMethods(auth.user.id)).some((method) => method.type === "sms")) return fail("two_factor_already_enabled");
  const phone = await parseMobileNumber(input.phoneNumber, deps.config.sms.allowedCountries, deps.config.sms.defaultCountry);
  if (!phone.ok) return phone;
  // Adding a factor when 2FA is on needs the second step within the window too (SECURITY 17).
  const stale = await requireOwnStepUp(deps, auth);
  if (!stale.ok) return stale;
  const wrong = await reauthenticate(deps, auth, { password: input.password }, context);
  if (!wrong.ok) return wrong;
  return startPendingSmsMethod(deps, auth.user, input.phoneNumber, null, context);
}

/**
 * A pending SMS method for `phoneNumber` and the first code sent to it. For a
 * reset (M4) it names the method it replaces; a new number counts as a new
 * factor (SECURITY 27). If the text cannot be sent, nothing is kept.
 */
export async function startPendingSmsMethod(
  deps: FactorsDeps,
  user: User,
  phoneNumber: string,
  replaces: Method | null,
  context: RequestContext,
): Promise<Result<SmsEnrolmentStarted>> {
  const phone = await parseMobileNumber(phoneNumber, deps.config.sms.allowedCountries, deps.config.sms.defaultCountry);
  if (!phone.ok) return phone;
  const maskedPhone = maskPhoneNumber(phone.e164, phone.callingCode);
  const method = await insertPendingMethod(deps, { user, type: "sms", defaultName: "Mobile phone", secret: Buffer.from(phone.e164, "utf8"), replaces, displayHint: maskedPhone });
  const id = method.id;
  const sent = await sendSmsCode(deps, { user, method, purpose: "enrol", bindingId: id, context });
  if (!sent.ok) {
    await deps.store.methods.deleteMethod(id);
    return sent;
  }
  return { ok: true, methodId: id, maskedPhone, codeExpiresAt: sent.expiresAt };
}

/** "Send a new code" during setup (throttled, replaces the previous code). */
export async function resendSmsEnrolmentCode(deps: FactorsDeps, auth: { user: User }, methodId: string, context: RequestContext): Promise<Result<{ expiresAt: number }>> {
  const pending = await findPendingMethod(deps, auth, methodId);
  if (!pending.ok) return pending;
  if (pending.method.type !== "sms") return fail("enrolment_expired");
  return sendSmsCode(deps, { user: auth.user, method: pending.method, purpose: "enrol", bindingId: methodId, context });
}

/** What the confirm page shows: the masked number the code went to, and whether it is a reset (M4) of another method. */
export async function showSmsEnrolment(deps: FactorsDeps, auth: { user: User }, methodId: string): Promise<Result<{ methodId: string; maskedPhone: string; replacing: boolean }>> {
  const pending = await findPendingMethod(deps, auth, methodId);
  if (!pending.ok) return pending;
  if (pending.method.type !== "sms") return fail("enrolment_expired");
  return { ok: true, methodId, maskedPhone: pending.method.displayHint ?? "", replacing: pending.method.replacesMethodId !== null };
}

/** M2 step 2: the code from the text (sent for this setup) makes the method active. */
export function confirmSmsEnrolment(
  deps: FactorsDeps,
  auth: EnrolmentOwner,
  input: { methodId: string; code: string },
  context: RequestContext,
): Promise<Result<{ recoveryCodes: string[] | null; replaced: boolean }>> {
  // The proof was parsed by the SMS factor: a six-digit string.
  return confirmEnrolment(deps, auth, { ...input, type: "sms" }, context, async (method, proof) =>
    (await smsFactor.verifyAndConsume(deps, deps.store, method, proof as string, { purpose: "enrol", bindingId: method.id })) ? { step: null } : false,
  );
}

/** The registry's view of this enrolment (factors/enrolments.ts): confirmed with the texted code; a reset takes the (new) number, which is a new factor (SECURITY 27). */
export const smsEnrolment = {
  confirmWithCode: confirmSmsEnrolment,
  reset: {
    fields: [{ name: "phoneNumber", label: "New mobile number", type: "tel", autocomplete: "tel", hint: "With the country code; it may be the same number." }],
    async check(deps, input) {
      const phone = await parseMobileNumber(input.phoneNumber ?? "", deps.config.sms.allowedCountries, deps.config.sms.defaultCountry);
      return phone.ok ? ok : phone;
    },
    async begin(deps, user, old, input, context) {
      const started = await startPendingSmsMethod(deps, user, input.phoneNumber ?? "", old, context);
      // A text that could not go out is about the number: the form says so beside it.
      if (!started.ok) return { ...started, field: started.field ?? "phoneNumber" };
      return { ok: true, methodId: started.methodId, codeSentTo: { maskedPhone: started.maskedPhone, expiresAt: started.codeExpiresAt } };
    },
  },
  /** P1 (required-enrolment.ts): the number (checked before anything is stored), its confirm page, a new code, the texted code. */
  firstMethod: {
    async begin(deps, login, input: { phoneNumber: string }, context): Promise<Result<SmsEnrolmentStarted>> {
      const phone = await parseMobileNumber(input.phoneNumber, deps.config.sms.allowedCountries, deps.config.sms.defaultCountry);
      if (!phone.ok) return phone;
      return startPendingSmsMethod(deps, login.user, input.phoneNumber, null, context);
    },
    show: (deps, login, methodId: string) => showSmsEnrolment(deps, login, methodId),
    resend: (deps, login, methodId: string, context) => resendSmsEnrolmentCode(deps, login, methodId, context),
    confirm: confirmFirstMethodWithCode(confirmSmsEnrolment),
  },
} satisfies FactorEnrolment;
