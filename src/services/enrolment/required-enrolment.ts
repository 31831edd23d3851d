import { fail, ok, type Result } from "../../domain/errors.js";
import { activeMethods, isEnrolmentFlow } from "../../domain/login-flow/flow.js";
import type { LoginFlow, MethodType, User } from "../../domain/model.js";
import { parseMobileNumber } from "../../domain/phone.js";
import { hashToken, isTokenShaped } from "../../security/tokens.js";
import type { Stores } from "../../store/store.js";
import type { RequestContext, ServiceDeps } from "../deps.js";
import { rememberBrowserAfterLogin } from "../throttle/password-throttle.js";
import { carryOut, decide } from "../login/login-flow-effects.js";
import type { EnrolmentOwner } from "./method-activation.js";
import { effectivePolicyFor, twoFactorRequirementFor } from "../policy/policy.js";
import { keyRegistrationOptions, registerKey } from "../factors/webauthn/enrolment.js";
import { enrolmentFor } from "../factors/enrolments.js";
import { resendSmsEnrolmentCode, showSmsEnrolment, startPendingSmsMethod, type SmsEnrolmentStarted } from "../factors/sms/enrolment.js";
import { createPendingTotpMethod, showTotpEnrolment, type TotpEnrolmentView } from "../factors/totp/enrolment.js";

/**
 * P1 after the enforcement date: a user without 2FA who passed the password
 * step holds a login flow in `enrolment_required`, and no session. These are
 * the only services that read such a flow: they set up a first method (TOTP or
 * SMS, as the policy allows, M5), then show the recovery codes, and only then
 * issue a session (a new token). The password was verified moments ago in this
 * same flow, so setup does not ask for it again.
 */
export interface EnrolmentLogin {
  flow: LoginFlow;
  user: User;
  allowedMethods: MethodType[];
  /** When 2FA became mandatory for this user. */
  deadline: number | null;
}

/** The open enrolment flow a token names; anything else (no such flow, expired, completed, a second-step flow) is `login_expired`. */
export async function loadEnrolmentLogin(deps: ServiceDeps, flowToken: unknown): Promise<Result<EnrolmentLogin>> {
  const found = await findEnrolmentFlow(deps, deps.store, flowToken);
  if (!found.ok) return found;
  const policy = await effectivePolicyFor(deps, found.user);
  const requirement = await twoFactorRequirementFor(deps, found.user);
  return { ok: true, flow: found.flow, user: found.user, allowedMethods: policy.allowedMethods, deadline: requirement.status === "not_required" ? null : requirement.deadline };
}

async function findEnrolmentFlow(deps: ServiceDeps, store: Stores, flowToken: unknown): Promise<Result<{ flow: LoginFlow; user: User }>> {
  if (!isTokenShaped(flowToken)) return fail("login_expired");
  const flow = await store.sessions.findLoginFlowByTokenHash(hashToken(flowToken));
  if (!flow || !isEnrolmentFlow(flow) || flow.expiresAt <= deps.clock.now()) return fail("login_expired");
  const user = await store.accounts.findUserById(flow.userId);
  if (!user || !user.active) return fail("login_expired");
  return { ok: true, flow, user };
}

/** The login while it waits for a first method; after confirmation it waits only for "I have saved my codes". */
async function waitingForMethod(deps: ServiceDeps, flowToken: unknown, type: MethodType): Promise<Result<EnrolmentLogin>> {
  const login = await loadEnrolmentLogin(deps, flowToken);
  if (!login.ok) return login;
  if (login.flow.state !== "enrolment_required") return fail("two_factor_already_enabled");
  // M5: the account's policy still decides which methods may be set up.
  if (!login.allowedMethods.includes(type)) return fail("method_not_allowed_by_policy");
  if (activeMethods(await deps.store.methods.listMethods(login.user.id)).length > 0) return fail("two_factor_already_enabled");
  return login;
}

export async function beginRequiredTotpEnrolment(deps: ServiceDeps, flowToken: unknown): Promise<Result<{ methodId: string }>> {
  const login = await waitingForMethod(deps, flowToken, "totp");
  if (!login.ok) return login;
  return { ok: true, methodId: await createPendingTotpMethod(deps, login.user, null) };
}

export async function showRequiredTotpEnrolment(deps: ServiceDeps, flowToken: unknown, methodId: string): Promise<Result<TotpEnrolmentView>> {
  const login = await waitingForMethod(deps, flowToken, "totp");
  if (!login.ok) return login;
  return showTotpEnrolment(deps, login, methodId);
}

export async function beginRequiredSmsEnrolment(deps: ServiceDeps, flowToken: unknown, input: { phoneNumber: string }, context: RequestContext): Promise<Result<SmsEnrolmentStarted>> {
  const login = await waitingForMethod(deps, flowToken, "sms");
  if (!login.ok) return login;
  const phone = parseMobileNumber(input.phoneNumber, deps.config.sms.allowedCountries, deps.config.sms.defaultCountry);
  if (!phone.ok) return phone;
  return startPendingSmsMethod(deps, login.user, input.phoneNumber, null, context);
}

export async function showRequiredSmsEnrolment(deps: ServiceDeps, flowToken: unknown, methodId: string) {
  const login = await waitingForMethod(deps, flowToken, "sms");
  if (!login.ok) return login;
  return showSmsEnrolment(deps, login, methodId);
}

export async function resendRequiredSmsCode(deps: ServiceDeps, flowToken: unknown, methodId: string, context: RequestContext): Promise<Result<{ expiresAt: number }>> {
  const login = await waitingForMethod(deps, flowToken, "sms");
  if (!login.ok) return login;
  return resendSmsEnrolmentCode(deps, login, methodId, context);
}

export interface RequiredEnrolmentConfirmed {
  recoveryCodes: string[] | null;
  /** Set when the codes travel in this answer (API): the session is issued with them. */
  sessionToken: string | null;
  /** Issue 7: with the session, a new remembered-browser token, stored in the same transaction. */
  browserToken?: string;
  user: User;
}

/**
 * The first method's code (the same checks as any enrolment: format, the
 * user's own pending method, a slot on the counter, the factor's single-use
 * check). In the activation's transaction the flow moves to
 * `recovery_codes_shown`; with `codesInThisAnswer` (the API, whose answer
 * carries the codes) it then completes and the session is issued at once.
 */
export async function confirmRequiredEnrolment(
  deps: ServiceDeps,
  flowToken: unknown,
  input: { methodId: string; code: string; type: MethodType },
  context: RequestContext,
  options: { codesInThisAnswer: boolean },
): Promise<Result<RequiredEnrolmentConfirmed>> {
  const login = await waitingForMethod(deps, flowToken, input.type);
  if (!login.ok) return login;
  const confirm = enrolmentFor(input.type).confirmWithCode;
  if (!confirm) return fail("enrolment_expired");
  const owner = enrolmentOwner(deps, login, input.type, context, options);
  const result = await confirm(deps, owner, { methodId: input.methodId, code: input.code }, context);
  if (!result.ok) return result;
  return { ok: true, recoveryCodes: result.recoveryCodes, sessionToken: owner.sessionToken(), user: login.user, ...owner.browserToken() };
}

/** A security key or passkey as the first method: the browser's creation options for a challenge bound to this login. */
export async function beginRequiredKeyEnrolment(deps: ServiceDeps, flowToken: unknown): Promise<Result<{ expiresAt: number; browserOptions: unknown }>> {
  const login = await waitingForMethod(deps, flowToken, "webauthn");
  if (!login.ok) return login;
  return keyRegistrationOptions(deps, login.user, login.flow.id);
}

/** The key's answer to that challenge and its name: the key is the first method, then as for any first method. */
export async function confirmRequiredKeyEnrolment(
  deps: ServiceDeps,
  flowToken: unknown,
  input: { credential: unknown; name: unknown },
  context: RequestContext,
  options: { codesInThisAnswer: boolean },
): Promise<Result<RequiredEnrolmentConfirmed>> {
  const login = await waitingForMethod(deps, flowToken, "webauthn");
  if (!login.ok) return login;
  const owner = enrolmentOwner(deps, login, "webauthn", context, options);
  const result = await registerKey(deps, owner, login.flow.id, input, context);
  if (!result.ok) return result;
  return { ok: true, recoveryCodes: result.recoveryCodes, sessionToken: owner.sessionToken(), user: login.user, ...owner.browserToken() };
}

/**
 * The login as the owner of its first method: in the activation's transaction
 * the flow moves to `recovery_codes_shown`; with `codesInThisAnswer` (the API,
 * whose answer carries the codes) it then completes and the session is issued.
 */
function enrolmentOwner(deps: ServiceDeps, login: EnrolmentLogin, factor: MethodType, context: RequestContext, options: { codesInThisAnswer: boolean }): EnrolmentOwner & { sessionToken(): string | null; browserToken(): { browserToken?: string } } {
  let sessionToken: string | null = null;
  let browserToken: string | null = null;
  return {
    user: login.user,
    sessionToken: () => sessionToken,
    browserToken: () => (browserToken ? { browserToken } : {}),
    finish: async (store) => {
      const confirmed = decide(deps, login.flow, { type: "enrolment_confirmed", factor });
      if (!confirmed.ok) return confirmed;
      const shown = await carryOut(deps, store, login.user, confirmed, context);
      if (!shown.ok) return shown;
      if (!options.codesInThisAnswer) return ok;
      const acknowledged = decide(deps, shown.flow, { type: "recovery_codes_acknowledged" });
      if (!acknowledged.ok) return acknowledged;
      const done = await carryOut(deps, store, login.user, acknowledged, context);
      if (!done.ok) return done;
      sessionToken = done.sessionToken ?? null;
      // The login completed: this client is remembered (a new token each time), on the same transaction.
      if (sessionToken) browserToken = await rememberBrowserAfterLogin(deps, login.user.id, null, store);
      return ok;
    },
  };
}

/** Pages: "I have saved my codes" — the flow completes (one conditional write) and the session is issued (a new token). */
export async function acknowledgeRecoveryCodes(
  deps: ServiceDeps,
  flowToken: unknown,
  context: RequestContext,
  presentedBrowserToken?: unknown,
): Promise<Result<{ sessionToken: string; user: User; browserToken?: string }>> {
  return deps.store.transaction(async (store) => {
    const found = await findEnrolmentFlow(deps, store, flowToken);
    if (!found.ok) return found;
    const decided = decide(deps, found.flow, { type: "recovery_codes_acknowledged" });
    if (!decided.ok) return decided;
    const done = await carryOut(deps, store, found.user, decided, context);
    if (!done.ok) return done;
    const browserToken = await rememberBrowserAfterLogin(deps, found.user.id, presentedBrowserToken, store);
    return { ok: true, sessionToken: done.sessionToken!, user: found.user, ...(browserToken ? { browserToken } : {}) };
  });
}

/** Whether a flow token names a login that may only enrol: the gate every other route asks (pages redirect, API answers 403). */
export async function isPendingEnrolment(deps: ServiceDeps, flowToken: unknown): Promise<boolean> {
  return (await findEnrolmentFlow(deps, deps.store, flowToken)).ok;
}
