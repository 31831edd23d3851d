import type { EnrolmentDeps, EnrolmentPorts } from "./deps.js";
import { fail, ok, type Result } from "../../domain/errors.js";
import { activeMethods, isEnrolmentFlow } from "../../domain/login-flow/flow.js";
import type { LoginFlow, MethodType, User } from "../../domain/model.js";
import { hashToken, isTokenShaped } from "../../security/tokens.js";
import type { RequestContext } from "../deps.js";
import { recordBrowserAfterLogin } from "../login/new-browser.js";
import { carryOut, decide } from "../login/login-flow-effects.js";
import type { EnrolmentOwner } from "./method-activation.js";
import { effectivePolicyFor, twoFactorRequirementFor } from "../policy/policy.js";
import { firstMethodSteps, type FirstMethodConfirmed, type FirstMethodStep, type FirstMethodSteps } from "../factors/enrolments.js";

/** The first method is on (a confirm step's answer). */
export type RequiredEnrolmentConfirmed = FirstMethodConfirmed;

/**
 * P1 after the enforcement date: a user without 2FA who passed the password
 * step holds a login flow in `enrolment_required`, and no session. These are
 * the only services that read such a flow: they set up a first method (any
 * factor the policy allows, M5), then show the recovery codes, and only then
 * issue a session (a new token). The password was verified moments ago in this
 * same flow, so setup does not ask for it again. Each factor's own steps live
 * in its enrolment (`FactorEnrolment.firstMethod`); this file never picks one
 * by type.
 */
export interface EnrolmentLogin {
  flow: LoginFlow;
  user: User;
  allowedMethods: MethodType[];
  /** When 2FA became mandatory for this user. */
  deadline: number | null;
}

/** The open enrolment flow a token names; anything else (no such flow, expired, completed, a second-step flow) is `login_expired`. */
export async function loadEnrolmentLogin(deps: EnrolmentDeps, flowToken: unknown): Promise<Result<EnrolmentLogin>> {
  const found = await findEnrolmentFlow(deps, deps.store, flowToken);
  if (!found.ok) return found;
  const policy = await effectivePolicyFor(deps, found.user);
  const requirement = await twoFactorRequirementFor(deps, found.user);
  return { ok: true, flow: found.flow, user: found.user, allowedMethods: policy.allowedMethods, deadline: requirement.status === "not_required" ? null : requirement.deadline };
}

async function findEnrolmentFlow(deps: EnrolmentDeps, store: EnrolmentPorts, flowToken: unknown): Promise<Result<{ flow: LoginFlow; user: User }>> {
  if (!isTokenShaped(flowToken)) return fail("login_expired");
  const flow = await store.sessions.findLoginFlowByTokenHash(hashToken(flowToken));
  if (!flow || !isEnrolmentFlow(flow) || flow.expiresAt <= deps.clock.now()) return fail("login_expired");
  const user = await store.accounts.findUserById(flow.userId);
  if (!user || !user.active) return fail("login_expired");
  return { ok: true, flow, user };
}

/** The login while it waits for a first method; after confirmation it waits only for "I have saved my codes". */
async function waitingForMethod(deps: EnrolmentDeps, flowToken: unknown, type: MethodType): Promise<Result<EnrolmentLogin>> {
  const login = await loadEnrolmentLogin(deps, flowToken);
  if (!login.ok) return login;
  if (login.flow.state !== "enrolment_required") return fail("two_factor_already_enabled");
  // M5: the account's policy still decides which methods may be set up.
  if (!login.allowedMethods.includes(type)) return fail("method_not_allowed_by_policy");
  if (activeMethods(await deps.store.methods.listMethods(login.user.id)).length > 0) return fail("two_factor_already_enabled");
  return login;
}

/** A factor's first-method step names (begin, show, resend, confirm: whichever it has). */
export type RequiredEnrolmentStepName<T extends MethodType> = keyof FirstMethodSteps<T> & string;
type StepInput<T extends MethodType, S extends RequiredEnrolmentStepName<T>> = FirstMethodSteps<T>[S] extends FirstMethodStep<infer Input, unknown> ? Input : never;
type StepAnswer<T extends MethodType, S extends RequiredEnrolmentStepName<T>> = FirstMethodSteps<T>[S] extends FirstMethodStep<never, infer Answer> ? Answer : never;

/**
 * The one entry point of a first-method setup, keyed by factor type: the
 * login's checks (still waiting for a method, this factor allowed by the
 * policy, M5, none active yet), then the named step of that factor from the
 * enrolment registry (`FactorEnrolment.firstMethod`). A confirm step moves the
 * flow to `recovery_codes_shown` in the activation's transaction; with
 * `codesInThisAnswer` (the API, whose answer carries the codes) it then
 * completes and the session is issued at once.
 */
export async function requiredEnrolmentStep<T extends MethodType, S extends RequiredEnrolmentStepName<T>>(
  deps: EnrolmentDeps,
  flowToken: unknown,
  type: T,
  step: S,
  input: StepInput<T, S>,
  context: RequestContext,
  options: { codesInThisAnswer: boolean } = { codesInThisAnswer: false },
): Promise<Result<StepAnswer<T, S>>> {
  const login = await waitingForMethod(deps, flowToken, type);
  if (!login.ok) return login;
  const owner = enrolmentOwner(deps, login, type, context, options);
  const run = firstMethodSteps(type)[step] as FirstMethodStep;
  return (await run(deps, { user: login.user, flowId: login.flow.id, owner, sessionToken: owner.sessionToken, browserToken: owner.browserToken }, input, context)) as Result<StepAnswer<T, S>>;
}

/**
 * The login as the owner of its first method: in the activation's transaction
 * the flow moves to `recovery_codes_shown`; with `codesInThisAnswer` (the API,
 * whose answer carries the codes) it then completes and the session is issued.
 */
function enrolmentOwner(deps: EnrolmentDeps, login: EnrolmentLogin, factor: MethodType, context: RequestContext, options: { codesInThisAnswer: boolean }): EnrolmentOwner & { sessionToken(): string | null; browserToken(): { browserToken?: string } } {
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
      if (sessionToken) browserToken = await recordBrowserAfterLogin(deps, store, login.user, null, context);
      return ok;
    },
  };
}

/** Pages: "I have saved my codes" — the flow completes (one conditional write) and the session is issued (a new token). */
export async function acknowledgeRecoveryCodes(
  deps: EnrolmentDeps,
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
    const browserToken = await recordBrowserAfterLogin(deps, store, found.user, presentedBrowserToken, context);
    return { ok: true, sessionToken: done.sessionToken!, user: found.user, ...(browserToken ? { browserToken } : {}) };
  });
}

/** Whether a flow token names a login that may only enrol: the gate every other route asks (pages redirect, API answers 403). */
export async function isPendingEnrolment(deps: EnrolmentDeps, flowToken: unknown): Promise<boolean> {
  return (await findEnrolmentFlow(deps, deps.store, flowToken)).ok;
}
