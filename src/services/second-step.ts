import { fail, type ErrorCode, type Failure, type Result } from "../domain/errors.js";
import { checkFlowOpen, chooseMethod } from "../domain/login-flow/flow.js";
import type { LoginFlow, Method, User } from "../domain/model.js";
import { normalizeRecoveryCode } from "../domain/recovery-codes.js";
import { hashToken, isTokenShaped } from "../security/tokens.js";
import type { Stores } from "../store/store.js";
import type { RequestContext, ServiceDeps } from "./deps.js";
import { recordEvent } from "./audit.js";
import { factorFor } from "./factors/registry.js";
import { toMethodView, type MethodView } from "./method-view.js";
import { effectivePolicyFor } from "./policy.js";
import { findRecoveryCode } from "./recovery-codes.js";
import { issueSession } from "./sessions.js";
import { deliverCodeIfSent, type CodeDelivery } from "./code-delivery.js";
import { sendSmsCode } from "./sms-codes.js";
import { settleSuccessfulAttempt, takeAttempt } from "./throttle.js";
import { removeTwoFactor } from "./two-factor-removal.js";

export interface SecondStep {
  flow: LoginFlow;
  user: User;
  methods: MethodView[];
  /** The method whose code the form asks for; null on the recovery-code form. */
  current: MethodView | null;
}

/** The pending login a flow token names, if it is still open. Only the second-step routes call this (SECURITY 28). */
export async function loadSecondStep(deps: ServiceDeps, flowToken: unknown): Promise<Result<SecondStep>> {
  const loaded = await loadOpenFlow(deps, deps.store, flowToken);
  if (!loaded.ok) return loaded;
  const methods = loaded.methods.map(toMethodView);
  const current = methods.find((method) => method.id === loaded.flow.methodId) ?? null;
  return { ok: true, flow: loaded.flow, user: loaded.user, methods, current };
}

/** L2: switch the second step to another of the user's own methods; switching to SMS sends its code. */
export async function switchSecondStepMethod(deps: ServiceDeps, flowToken: unknown, methodId: string, context: RequestContext): Promise<Result<{ delivery: CodeDelivery }>> {
  const loaded = await loadOpenFlow(deps, deps.store, flowToken);
  if (!loaded.ok) return loaded;
  const methods = loaded.methods;
  const next = chooseMethod(loaded.flow, methods, methodId);
  if ("ok" in next) return next;
  await deps.store.sessions.setLoginFlowMethod(loaded.flow.id, next.methodId);
  const method = methods.find((candidate) => candidate.id === next.methodId)!;
  return { ok: true, delivery: await deliverCodeIfSent(deps, loaded.user, method, loaded.flow.id, context) };
}

/** "Send a new code" on the second step: throttled, replaces the previous code, never resets the failure counter. */
export async function resendSecondStepCode(deps: ServiceDeps, flowToken: unknown, context: RequestContext): Promise<Result<{ expiresAt: number }>> {
  const loaded = await loadOpenFlow(deps, deps.store, flowToken);
  if (!loaded.ok) return loaded;
  const method = loaded.methods.find((candidate) => candidate.id === loaded.flow.methodId);
  if (!method || method.type !== "sms") return fail("invalid_request");
  return sendSmsCode(deps, { user: loaded.user, method, purpose: "login", bindingId: loaded.flow.id, context });
}

export interface SecondStepSuccess {
  sessionToken: string;
  user: User;
  /** Set after a recovery code: `keep` → recommend a reset; `disable` → 2FA is now off. */
  recovery?: { policy: "keep" | "disable"; codesLeft: number };
}

/** Step 2 with a code of the flow's current method (L3). */
export async function verifySecondStepCode(
  deps: ServiceDeps,
  flowToken: unknown,
  input: { code: string; methodId?: string },
  context: RequestContext,
): Promise<Result<SecondStepSuccess>> {
  const code = input.code.replace(/\s/g, "");
  return deps.store.transaction(async (store) => {
    // One read: the flow, its user, and the method the code is for (only the user's own active one).
    if (!isTokenShaped(flowToken)) return fail("login_expired");
    const attempt = await store.sessions.findLoginAttempt(hashToken(flowToken), input.methodId ?? null);
    const closed = checkFlowOpen(attempt?.flow, deps.clock.now());
    if (closed || !attempt || !attempt.user.active) return closed ?? fail("login_expired");
    const { flow, user, method } = attempt;
    if (!method) return fail("invalid_request", { field: "methodId" });
    const factor = factorFor(method.type);
    // Format first (SECURITY 5): a malformed code is refused without counting or hashing anything.
    if (!factor.isWellFormed(code)) return fail("invalid_code_format", { field: "code" });
    const ticket = await takeAttempt(deps, store, user.id, context);
    if ("ok" in ticket) return ticket;
    if (!(await factor.verifyAndConsume(deps, store, method, code, { purpose: "login", bindingId: flow.id }))) {
      return recordSecondFactorFailure(deps, store, user, method, ticket.locksOnFailure, context, factor.wrongCode);
    }
    return finishLogin(deps, store, flow, user, context, { factor: method.type });
  });
}

/** Step 2 with a recovery code (R2, R5). */
export async function verifySecondStepRecoveryCode(
  deps: ServiceDeps,
  flowToken: unknown,
  input: { code: string },
  context: RequestContext,
): Promise<Result<SecondStepSuccess>> {
  const code = normalizeRecoveryCode(input.code);
  if (code === null) return fail("invalid_recovery_code_format", { field: "code" });
  // Computed before the transaction: the slow hash must not hold the database's write lock.
  const loaded = await loadOpenFlow(deps, deps.store, flowToken);
  if (!loaded.ok) return loaded;
  const ticket = await takeAttempt(deps, deps.store, loaded.user.id, context);
  if ("ok" in ticket) return ticket;
  const match = await findRecoveryCode(deps, loaded.user, code);
  const policy = (await effectivePolicyFor(deps, loaded.user)).recoveryCodePolicy;
  // Inside a transaction only `store` may be used: on SQLite the transaction holds the one connection.
  return deps.store.transaction(async (store) => {
    const { user } = loaded;
    if (!match) return recordSecondFactorFailure(deps, store, user, null, ticket.locksOnFailure, context, "invalid_recovery_code");
    // The login first: one that expired or was completed while the code was hashed spends no code and disables nothing.
    if (!(await store.sessions.completeLoginFlow(loaded.flow.id, deps.clock.now()))) return fail("login_expired");
    // Single use (R2): a conditional write, so of racing requests with one code only one passes.
    if (!(await store.codes.consumeRecoveryCode(match.id, deps.clock.now()))) {
      return recordSecondFactorFailure(deps, store, user, null, ticket.locksOnFailure, context, "invalid_recovery_code");
    }
    await recordEvent(deps, store, { type: "login.recovery_code_used", subject: user, context, detail: { codesLeft: match.codesLeft, policy } });
    if (policy === "disable") await removeTwoFactor(deps, store, user, context, { reason: "recovery_code_login" });
    const { sessionToken } = await issueLoginSession(deps, store, user, context, { factor: "recovery_code" }, policy === "keep");
    return { ok: true, sessionToken, user, recovery: { policy, codesLeft: policy === "disable" ? 0 : match.codesLeft } };
  });
}

/** The open flow, its user and the user's active methods, in one read. */
async function loadOpenFlow(deps: ServiceDeps, store: Stores, flowToken: unknown): Promise<Result<{ flow: LoginFlow; user: User; methods: Method[] }>> {
  if (!isTokenShaped(flowToken)) return fail("login_expired");
  const context = await store.sessions.findLoginContext(hashToken(flowToken));
  const closed = checkFlowOpen(context?.flow, deps.clock.now());
  if (closed || !context) return closed ?? fail("login_expired");
  if (!context.user.active) return fail("login_expired");
  return { ok: true, flow: context.flow, user: context.user, methods: context.activeMethods };
}

async function recordSecondFactorFailure(
  deps: ServiceDeps,
  store: Stores,
  user: User,
  method: Method | null,
  locked: boolean,
  context: RequestContext,
  code: ErrorCode,
): Promise<Failure> {
  await recordEvent(deps, store, { type: "login.second_factor_failed", subject: user, actor: null, context, detail: { factor: method?.type ?? "recovery_code" } });
  // SECURITY 12: the password was right but the second factor kept failing; the log says so.
  if (locked) await recordEvent(deps, store, { type: "login.locked_out", subject: user, actor: null, context });
  return fail(code, { field: "code" });
}

async function finishLogin(
  deps: ServiceDeps,
  store: Stores,
  flow: LoginFlow,
  user: User,
  context: RequestContext,
  detail: { factor: string },
): Promise<Result<SecondStepSuccess>> {
  // Single use: of two racing completions only one gets a session.
  if (!(await store.sessions.completeLoginFlow(flow.id, deps.clock.now()))) return fail("login_expired");
  const { sessionToken } = await issueLoginSession(deps, store, user, context, detail, false);
  return { ok: true, sessionToken, user };
}

/** After the flow is completed: clear the counter, issue the session, record the login. */
async function issueLoginSession(
  deps: ServiceDeps,
  store: Stores,
  user: User,
  context: RequestContext,
  detail: { factor: string },
  recoveryCodeUsed: boolean,
): Promise<{ sessionToken: string }> {
  await settleSuccessfulAttempt(deps, store, user.id, context);
  const { token } = await issueSession(deps, store, user, context, { recoveryCodeUsed });
  await recordEvent(deps, store, { type: "login.succeeded", subject: user, context, detail });
  return { sessionToken: token };
}
