import type { LoginDeps } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import type { LoginFlow, Method, MethodType, User } from "../../domain/model.js";
import { createToken, hashToken } from "../../security/tokens.js";
import type { RequestContext } from "../deps.js";
import { recordBrowserAfterLogin } from "./new-browser.js";
import { recordEvent } from "../events/audit.js";
import { toMethodView, type MethodView } from "../factors/method-view.js";
import { factorFor } from "../factors/registry.js";
import { checkEmail, normalizeEmail } from "../access/users.js";
import { addressKey } from "../throttle/throttle.js";
import { givingBackWhenBusy } from "../failures.js";
import { lockSchedule } from "../../domain/throttle.js";
import { settleRightPassword, settleWrongPassword, takePasswordSlot, type PasswordSlot } from "../throttle/password-throttle.js";
import { deliverCodeIfSent, type CodeDelivery } from "../factors/code-delivery.js";
import { carryOut, decide, type FlowOutcome } from "./login-flow-effects.js";
import { effectivePolicyFor } from "../policy/policy.js";
import { trustedBrowserSkips } from "./trusted-browsers.js";
import { twoFactorRequirement, type TwoFactorRequirement } from "../../domain/two-factor-requirement.js";

export type LoginStart =
  /** `twoFactorDeadline`: 2FA becomes mandatory then (P1); the login shows it with "Set up now". */
  /** `browserToken`: a new known-browser token (the password delay's), stored in the login's transaction, for the cookie or the API body. */
  | { ok: true; kind: "authenticated"; sessionToken: string; user: User; twoFactorDeadline: number | null; browserToken?: string }
  | { ok: true; kind: "second_factor"; flowToken: string; flow: LoginFlow; methods: MethodView[]; delivery: CodeDelivery }
  /** P1 after the date: no session; the flow token opens only the enrolment of a first method. */
  | { ok: true; kind: "enrolment_required"; flowToken: string; flow: LoginFlow; deadline: number; allowedMethods: MethodType[] };

/**
 * Step 1 (L1): email + password. A wrong email and a wrong password take the
 * same time and give the same answer, so nothing tells whether an account
 * exists or has 2FA before the password is right. With 2FA the result is a
 * pending flow, never a session (L5); so is a required 2FA not yet set up (P1).
 * Guessing is limited per client address and per account (`password-throttle.ts`);
 * `browserToken` is the known-browser token of an earlier completed login;
 * `trustedBrowserToken` the cookie of "Don't ask again on this browser" (L7),
 * which, for this same user and while policy allows, skips the second step.
 */
export async function startLogin(
  deps: LoginDeps,
  // appRequiresTwoFactor (issue 15): the login is an app's sign-in and the app demands a second factor, whatever the policy says;
  // appRequiresPhishingResistant: it asked for `phr`, so a user without a security key or passkey is refused once the password is right.
  input: { email: string; password: string; browserToken?: unknown; trustedBrowserToken?: unknown; appRequiresTwoFactor?: boolean; appRequiresPhishingResistant?: boolean },
  context: RequestContext,
): Promise<Result<LoginStart>> {
  if (input.password.length > 256) return fail("invalid_credentials");
  // Format first, before any counter or lookup: what cannot be an email (a NUL, a list, junk)
  // is refused as what it is and costs no one a slot (issue 18 finding 5).
  const email = normalizeEmail(input.email);
  const malformed = checkEmail(email);
  if (!malformed.ok) return malformed;
  const now = deps.clock.now();
  const addressCounter = context.clientAddress ? `password-${addressKey(context.clientAddress)}` : null;
  // Counted before argon2 runs, in one transaction (one commit): per client address, then per account
  // with a delay that the user's known browsers skip (a per-user lockout would let anyone keep a user
  // out; issue 7), the same for an email nobody has. Never held open across the hash.
  const counted = await deps.store.transaction(async (store): Promise<Result<{ user: User | undefined; slot: PasswordSlot }>> => {
    if (addressCounter) {
      const count = await store.counters.countAttempt(addressCounter, now, { rows: lockSchedule(deps.config.addressThrottle) });
      if (!count.allowed) return fail("locked_out", { retryAfterSeconds: Math.ceil((count.lockedUntil - now) / 1000) });
    }
    const user = await store.accounts.findUserByEmail(email);
    const slot = await takePasswordSlot(deps, email, user, input.browserToken, store);
    return slot.ok ? { ok: true, user, slot } : slot;
  });
  if (!counted.ok) return counted;
  const { user, slot } = counted;
  // No argon2id place in time (a 503): nothing was checked, so neither count stands.
  const passwordRight = await givingBackWhenBusy(
    () => deps.passwords.verify(user?.passwordHash ?? null, input.password),
    () =>
      deps.store.transaction(async (store) => {
        await store.counters.refundAttempt(slot.key, now);
        if (addressCounter) await store.counters.refundAttempt(addressCounter, now);
      }),
  );
  if (!user || !passwordRight || !user.active) {
    await deps.store.transaction(async (store) => {
      if (user) await recordEvent(deps, store, { type: "login.password_failed", subject: user, actor: null, context });
      await settleWrongPassword(deps, slot, user, context, store);
    });
    return fail("invalid_credentials");
  }
  // The right password: the counts given back, what the login needs read, and the flow (or the
  // session) written, in one transaction.
  const flowToken = createToken();
  const done = await deps.store.transaction(async (store) => {
    if (addressCounter) await store.counters.refundAttempt(addressCounter, now);
    await settleRightPassword(deps, slot, store);
    const [methods, policy] = await Promise.all([store.methods.listMethods(user.id), effectivePolicyFor(deps, user, store)]);
    // No second step (and no text message) that could never satisfy the app: the app is told instead.
    if (input.appRequiresPhishingResistant && !activeMethods(methods).some((method) => factorFor(method.type).phishingResistant)) return fail("security_key_required_by_app");
    const requirement = twoFactorRequirement([policy.requireTwoFactorFrom, input.appRequiresTwoFactor ? now : null], now);
    const trustedBrowser = await trustedBrowserSkips(deps, input.trustedBrowserToken, user, policy.rememberBrowserDays, store);
    const decided = decide(deps, null, { type: "password_verified", flowId: deps.newId(), userId: user.id, methods, requirement, trustedBrowser });
    if (!decided.ok) return decided;
    const carried = await carryOut(deps, store, user, decided, context, { flowTokenHash: hashToken(flowToken) });
    if (!carried.ok) return carried;
    // A session now: the known-browser token is written with it, never after the commit.
    const browserToken = carried.sessionToken ? await recordBrowserAfterLogin(deps, store, user, input.browserToken, context, { trusted: trustedBrowser, policy }) : null;
    return { ok: true as const, carried, methods, allowedMethods: policy.allowedMethods, requirement, browserToken };
  });
  if (!done.ok) return done;
  const { methods, allowedMethods, requirement, carried, browserToken } = done;
  return loginStartAfter(deps, { user, methods, allowedMethods, requirement, flowToken, done: carried, browserToken }, context);
}

/**
 * What the password step's answer is once the machine's decision is carried
 * out and committed: a session, the second step, or a required enrolment. A
 * completed password reset (PR1) answers through here too, so it can never
 * skip the second step that a password login would get.
 */
export async function loginStartAfter(
  deps: LoginDeps,
  input: { user: User; methods: Method[]; allowedMethods: MethodType[]; requirement: TwoFactorRequirement; flowToken: string; done: FlowOutcome; browserToken: string | null },
  context: RequestContext,
): Promise<LoginStart> {
  const { user, methods, requirement, flowToken, done } = input;
  if (done.sessionToken) {
    return { ok: true, kind: "authenticated", sessionToken: done.sessionToken, user, twoFactorDeadline: done.deadline ?? null, ...(input.browserToken ? { browserToken: input.browserToken } : {}) };
  }
  const flow = done.flow!;
  if (flow.state === "enrolment_required") {
    return { ok: true, kind: "enrolment_required", flowToken, flow, deadline: requirement.status === "not_required" ? deps.clock.now() : requirement.deadline, allowedMethods: input.allowedMethods };
  }
  // L2: when the default is SMS, the code is sent as the second step opens.
  const delivery = done.challengeMethodId
    ? await deliverCodeIfSent(deps, user, methods.find((method) => method.id === done.challengeMethodId)!, flow.id, context)
    : ({ status: "not_needed" } as const);
  return { ok: true, kind: "second_factor", flowToken, flow, methods: activeMethods(methods).map(toMethodView), delivery };
}
