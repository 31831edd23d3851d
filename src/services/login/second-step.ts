import type { LoginDeps, LoginPorts } from "./deps.js";
import { fail, ok, type Failure, type Outcome, type Result } from "../../domain/errors.js";
import { activeMethods, checkFlowOpen, isEnrolmentFlow } from "../../domain/login-flow/flow.js";
import type { LoginFlow, Method, User } from "../../domain/model.js";
import type { EffectivePolicy } from "../../domain/policy.js";
import { normalizeRecoveryCode } from "../../domain/recovery-codes.js";
import { hashToken, isTokenShaped } from "../../security/tokens.js";
import type { RequestContext } from "../deps.js";
import type { Challenge } from "../factors/factor.js";
import { factorFor, registeredFactors } from "../factors/registry.js";
import { toMethodView, type MethodView } from "../factors/method-view.js";
import { effectivePolicyFor } from "../policy/policy.js";
import { findRecoveryCode } from "../recovery/recovery-codes.js";
import { carryOut, decide } from "./login-flow-effects.js";
import { deliverCodeIfSent, type CodeDelivery } from "../factors/code-delivery.js";
import { attemptToCount, takeAttempt, ticketFor } from "../throttle/throttle.js";
import { recordBrowserAfterLogin } from "./new-browser.js";

export interface SecondStep {
  flow: LoginFlow;
  user: User;
  methods: MethodView[];
  /** The method whose code the form asks for; null on the recovery-code form. */
  current: MethodView | null;
}

/** The pending login a flow token names, if it is still open. Only the second-step routes call this (SECURITY 28). */
export async function loadSecondStep(deps: LoginDeps, flowToken: unknown): Promise<Result<SecondStep>> {
  const loaded = await loadOpenFlow(deps, deps.store, flowToken);
  if (!loaded.ok) return loaded;
  const methods = loaded.methods.map(toMethodView);
  const current = methods.find((method) => method.id === loaded.flow.methodId) ?? null;
  return { ok: true, flow: loaded.flow, user: loaded.user, methods, current };
}

/**
 * What the second-step form shows: the method it asks for, the others to
 * switch to, the days "Don't ask again on this browser" offers (0: no box)
 * and, for a key the browser answers, a fresh challenge's options.
 */
export interface SecondStepForm {
  current: MethodView | null;
  methods: MethodView[];
  rememberDays: number;
  browserOptions?: unknown;
}

/** The second-step page: the flow (one read: flow, user, methods), the policy (one read) and the form. */
export async function loadSecondStepForm(deps: LoginDeps, flowToken: unknown, context: RequestContext): Promise<Result<{ user: User; form: SecondStepForm }>> {
  const loaded = await loadOpenFlow(deps, deps.store, flowToken);
  if (!loaded.ok) return loaded;
  const policy = await effectivePolicyFor(deps, loaded.user);
  return { ok: true, user: loaded.user, form: await formFor(deps, loaded, policy, context) };
}

/** The form for a flow whose user and active methods are known: no flow or policy is read again. */
async function formFor(deps: LoginDeps, loaded: { flow: LoginFlow; user: User; methods: Method[] }, policy: EffectivePolicy, context: RequestContext): Promise<SecondStepForm> {
  const methods = loaded.methods.map(toMethodView);
  const method = loaded.methods.find((candidate) => candidate.id === loaded.flow.methodId);
  const current = methods.find((view) => view.id === loaded.flow.methodId) ?? null;
  // A security key's prompt needs a fresh challenge each time the page shows it (the old one is retired).
  const challenge =
    method && factorFor(method.type).presentation === "browser_prompt"
      ? await factorFor(method.type).startChallenge(deps, { user: loaded.user, method, binding: { purpose: "login", bindingId: loaded.flow.id }, context })
      : null;
  return { current, methods, rememberDays: policy.rememberBrowserDays, ...(challenge?.ok ? { browserOptions: challenge.browserOptions } : {}) };
}

/** L2: switch the second step to another of the user's own methods; switching to SMS sends its code. The answer holds the moved flow and the methods (no second read). */
export async function switchSecondStepMethod(
  deps: LoginDeps,
  flowToken: unknown,
  methodId: string,
  context: RequestContext,
): Promise<Result<{ delivery: CodeDelivery; flow: LoginFlow; methods: MethodView[] }>> {
  const loaded = await loadOpenFlow(deps, deps.store, flowToken);
  if (!loaded.ok) return loaded;
  const decided = decide(deps, loaded.flow, { type: "method_switched", methodId, methods: loaded.methods });
  if (!decided.ok) return decided;
  const done = await carryOut(deps, deps.store, loaded.user, decided, context);
  if (!done.ok) return done;
  const flow = done.flow!;
  const method = loaded.methods.find((candidate) => candidate.id === flow.methodId)!;
  return { ok: true, delivery: await deliverCodeIfSent(deps, loaded.user, method, flow.id, context), flow, methods: loaded.methods.map(toMethodView) };
}

/** "Send a new code" on the second step: throttled, replaces the previous code, never resets the failure counter. */
export async function resendSecondStepCode(deps: LoginDeps, flowToken: unknown, context: RequestContext): Promise<Result<Challenge>> {
  const loaded = await loadOpenFlow(deps, deps.store, flowToken);
  if (!loaded.ok) return loaded;
  const method = loaded.methods.find((candidate) => candidate.id === loaded.flow.methodId);
  if (!method) return fail("invalid_request");
  // Only a factor that issues challenges has a new one to send.
  return (await factorFor(method.type).startChallenge(deps, { user: loaded.user, method, binding: { purpose: "login", bindingId: loaded.flow.id }, context })) ?? fail("invalid_request");
}

export interface SecondStepSuccess {
  sessionToken: string;
  user: User;
  /** Set after a recovery code: `keep` → recommend a reset; `disable` → 2FA is now off. */
  recovery?: { policy: "keep" | "disable"; codesLeft: number };
  /** L7: set when the user ticked "Don't ask again on this browser" and policy allows; for the cookie only. */
  trustedBrowser?: { token: string; days: number };
  /** Issue 7: a new known-browser token (the password delay's), when the one presented was not this user's; for the cookie or the API body. */
  browserToken?: string;
}

/** A refused second step; `form`, when asked for and the flow is still open, is what the page needs to show the form again. */
export interface SecondStepRefusal extends Failure {
  form?: SecondStepForm;
}

/**
 * Step 2 with a code of the flow's current method (L3); `rememberBrowser` is
 * the L7 box, `browserToken` the known-browser token the client holds.
 * One read of the flow and at most one of the policy per request (issue 19,
 * item 7): the policy is read on the transaction's ports when the box is
 * ticked, else after it only to draw the form again (`options.form`). Every
 * write of a successful login is inside the transaction.
 */
export async function verifySecondStepCode(
  deps: LoginDeps,
  flowToken: unknown,
  input: { code?: string | undefined; credential?: unknown; methodId?: string | undefined; rememberBrowser?: boolean; browserToken?: unknown },
  context: RequestContext,
  options: { form?: boolean } = {},
): Promise<({ ok: true } & SecondStepSuccess) | SecondStepRefusal> {
  let read: { flow: LoginFlow; user: User } | undefined;
  let policy: EffectivePolicy | undefined;
  const result = await deps.store.transaction(async (store): Promise<Result<SecondStepSuccess>> => {
    if (!isTokenShaped(flowToken)) return fail("login_expired");
    // One read: the flow, its user, and the method the code is for (only the user's own active one),
    // and in the same round trip the user's and the address's counters (SECURITY 7, 9), counted
    // before the check and only when the code will be checked: the flow open, and a proof of the
    // method's type (format first, SECURITY 5: a malformed code counts nothing and hashes nothing).
    const proof = input.credential ?? input.code;
    const parsesAs = registeredFactors().filter((candidate) => candidate.parseProof(proof).ok).map((candidate) => candidate.type);
    const count = attemptToCount(deps, context, parsesAs);
    const attempt = await store.sessions.findLoginAttempt(hashToken(flowToken), input.methodId ?? null, count);
    const open = flowIsOpen(deps, attempt, count.now);
    const parsed = open.ok && attempt!.method ? factorFor(attempt!.method.type).parseProof(proof) : null;
    // The store counted by the same rule; a disagreement must not commit a count nor check an uncounted code.
    if ((attempt?.counts != null) !== (parsed?.ok === true)) throw new Error("the store's count and the second step's checks disagree");
    if (!open.ok) return open;
    const { flow, user, method } = attempt!;
    read = { flow, user };
    if (!method) return fail("invalid_request", { field: "methodId" });
    const factor = factorFor(method.type);
    if (!parsed!.ok) return parsed!;
    const ticket = ticketFor(attempt!.counts!, count.now);
    if (!ticket.ok) return ticket;
    const verified = await factor.verifyAndConsume(deps, store, method, parsed!.proof, { purpose: "login", bindingId: flow.id }, context);
    // L7: the days "Don't ask again" may remember this browser for, from the policy read on these ports (0: off).
    if (verified && input.rememberBrowser === true) policy = await effectivePolicyFor(deps, user, store);
    const rememberForDays = policy?.rememberBrowserDays ?? 0;
    const event = verified ? ({ type: "code_verified", factor: method.type, rememberForDays } as const) : ({ type: "code_failed", factor: method.type, locked: ticket.locksOnFailure } as const);
    const decided = decide(deps, flow, event);
    if (!decided.ok) return decided;
    const done = await carryOut(deps, store, user, decided, context);
    if (!done.ok) return done;
    if (!verified) return fail(factor.wrongProof, { field: factor.proofField });
    const browserToken = await recordBrowserAfterLogin(deps, store, user, input.browserToken, context, { policy });
    return {
      ok: true,
      sessionToken: done.sessionToken!,
      user,
      ...(done.trustedBrowserToken ? { trustedBrowser: { token: done.trustedBrowserToken, days: rememberForDays } } : {}),
      ...(browserToken ? { browserToken } : {}),
    };
  });
  if (result.ok || !options.form || !read || result.code === "login_expired" || result.code === "two_factor_enrolment_required") return result;
  // The form again, from what this request already read: the flow once, the policy at most once.
  const methods = activeMethods(await deps.store.methods.listMethods(read.user.id));
  const form = await formFor(deps, { ...read, methods }, policy ?? (await effectivePolicyFor(deps, read.user)), context);
  return { ...result, form };
}

/** Step 2 with a recovery code (R2, R5). */
export async function verifySecondStepRecoveryCode(
  deps: LoginDeps,
  flowToken: unknown,
  input: { code: string; browserToken?: unknown },
  context: RequestContext,
): Promise<Result<SecondStepSuccess>> {
  const code = normalizeRecoveryCode(input.code);
  if (code === null) return fail("invalid_recovery_code_format", { field: "code" });
  // Computed before the transaction: the slow hash must not hold the database's write lock.
  const loaded = await loadOpenFlow(deps, deps.store, flowToken);
  if (!loaded.ok) return loaded;
  const ticket = await takeAttempt(deps, deps.store, loaded.user.id, context);
  if (!ticket.ok) return ticket;
  const match = await findRecoveryCode(deps, loaded.user, code);
  const policy = (await effectivePolicyFor(deps, loaded.user)).recoveryCodePolicy;
  // Inside a transaction only `store` may be used: on SQLite the transaction holds the one connection.
  return deps.store.transaction(async (store) => {
    const { user } = loaded;
    const failed = async (): Promise<Failure> => {
      const decided = decide(deps, loaded.flow, { type: "code_failed", factor: "recovery_code", locked: ticket.locksOnFailure });
      if (!decided.ok) return decided;
      const done = await carryOut(deps, store, user, decided, context);
      return done.ok ? fail("invalid_recovery_code", { field: "code" }) : done;
    };
    if (!match) return failed();
    const decided = decide(deps, loaded.flow, { type: "recovery_code_verified", codesLeft: match.codesLeft, policy });
    if (!decided.ok) return decided;
    // The login first (advance_flow): one that expired or was completed while the code was hashed spends no code and disables nothing.
    const done = await carryOut(deps, store, user, decided, context, {
      // Single use (R2): a conditional write, so of racing requests with one code only one passes.
      afterAdvance: async () => ((await store.codes.consumeRecoveryCode(match.id, deps.clock.now())) ? ok : failed()),
    });
    if (!done.ok) return done;
    const browserToken = await recordBrowserAfterLogin(deps, store, user, input.browserToken, context);
    return { ok: true, sessionToken: done.sessionToken!, user, recovery: { policy, codesLeft: policy === "disable" ? 0 : match.codesLeft }, ...(browserToken ? { browserToken } : {}) };
  });
}

/** The open flow, its user and the user's active methods, in one read. */
async function loadOpenFlow(deps: LoginDeps, store: LoginPorts, flowToken: unknown): Promise<Result<{ flow: LoginFlow; user: User; methods: Method[] }>> {
  if (!isTokenShaped(flowToken)) return fail("login_expired");
  const context = await store.sessions.findLoginContext(hashToken(flowToken));
  const open = flowIsOpen(deps, context);
  if (!open.ok) return open;
  return { ok: true, flow: context!.flow, user: context!.user, methods: context!.activeMethods };
}

/** Whether a loaded flow can take a second step now, or why not. */
function flowIsOpen(deps: LoginDeps, loaded: { flow: LoginFlow; user: User } | undefined, now = deps.clock.now()): Outcome {
  // P1: a login that may only enrol is sent there, from every second-step route too.
  if (loaded && isEnrolmentFlow(loaded.flow) && loaded.flow.expiresAt > now && loaded.user.active) return fail("two_factor_enrolment_required");
  const open = checkFlowOpen(loaded?.flow, now);
  if (!open.ok) return open;
  return loaded?.user.active ? ok : fail("login_expired");
}

