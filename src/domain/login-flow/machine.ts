import { fail, type Result } from "../errors.js";
import type { EventType, LoginFlow, Method, MethodType, RecoveryCodePolicy } from "../model.js";
import type { TwoFactorRequirement } from "../two-factor-requirement.js";
import { twoFactorAccess } from "../two-factor-requirement.js";
import { activeMethods, defaultMethod } from "./flow.js";
import type { ChangeThatForgetsTrustedBrowsers } from "./trusted-browser.js";

/**
 * The login as one pure function: `(flow, event, now, policy) → next flow +
 * effects` as a `Result`. See state-diagram.md beside this file. The services
 * (login.ts, second-step.ts, required-enrolment.ts) load the flow, check the
 * proof (format → a slot on the counter → the factor's single-use check), call
 * `transition`, and carry out the effects in order, in one transaction. Moving
 * a stored flow is always one conditional write from the state it was read in
 * (`advance_flow` names `from`), so of two racing requests only one moves it.
 */

/** The lifetimes of a flow. What an event depends on of the account's rules (P1, R5) travels with the event. */
export interface FlowPolicy {
  loginTtlSeconds: number;
  /** A required enrolment gets the setup's time, not the 5 minutes of a code (L4). */
  enrolmentTtlSeconds: number;
}

export type FlowEvent =
  /**
   * Step 1 passed (argon2 verified, user active). `flowId` names the flow to create, if one is needed.
   * `trustedBrowser` (L7): this browser is one the user asked not to be asked again on, still allowed (trusted-browser.ts).
   */
  | { type: "password_verified"; flowId: string; userId: string; methods: Method[]; requirement: TwoFactorRequirement; trustedBrowser?: boolean }
  /** PR1: a new password was set through a reset link (services/reset/password-reset-complete.ts); the same next state as password_verified. */
  | { type: "password_reset_completed"; flowId: string; userId: string; methods: Method[]; requirement: TwoFactorRequirement }
  /** `rememberForDays` (L7): the user ticked "Don't ask again on this browser" and policy allows that many days (0: not). */
  | { type: "code_verified"; factor: MethodType; rememberForDays?: number }
  | { type: "code_failed"; factor: MethodType | "recovery_code"; locked: boolean }
  /** The code was consumed (R2); `policy` is the account's R5 rule. */
  | { type: "recovery_code_verified"; codesLeft: number; policy: RecoveryCodePolicy }
  | { type: "method_switched"; methodId: string; methods: Method[] }
  /** The first method of a required enrolment is confirmed; the recovery codes go out with this answer. */
  | { type: "enrolment_confirmed"; factor: MethodType }
  /** The user says the recovery codes are saved (pages), or they were in the answer that confirmed (API). */
  | { type: "recovery_codes_acknowledged" }
  | { type: "expired" };

export type FlowEffect =
  | { type: "store_flow"; flow: LoginFlow }
  /** One conditional write: `WHERE state = from AND expires_at > now`; 0 rows → the login is over (login_expired). */
  | { type: "advance_flow"; from: LoginFlow["state"]; flow: LoginFlow }
  /**
   * `passwordOnly`: the user has 2FA but this login passed the password only (a trusted browser, L7);
   * the session opens no step-up window, so 2FA changes still ask for a second factor (SECURITY 17).
   */
  | { type: "issue_session"; recoveryCodeUsed: boolean; passwordOnly?: true }
  /** Clear the user's failure counter and refund the address slot (the proof was right). */
  | { type: "settle_attempts" }
  /** The chosen method's factor issues its challenge, if it has one (SMS texts a code; TOTP needs none). */
  | { type: "start_challenge"; methodId: string }
  /** Never a 2FA or password change: those forget trusted browsers, recorded by the service that makes them. */
  | { type: "record_event"; event: Exclude<EventType, ChangeThatForgetsTrustedBrowsers>; detail: Record<string, string | number | boolean> }
  | { type: "show_deadline"; deadline: number }
  /** R5 `disable`: the recovery code turned 2FA off; every method and code goes in the same transaction. */
  | { type: "disable_two_factor" }
  /** L7: remember this browser for `days`: a new random cookie token, only its hash stored. */
  | { type: "trust_browser"; days: number };

export interface Transition {
  /** The flow after the event; null when none is kept (a session at once, or the flow's end). */
  flow: LoginFlow | null;
  effects: FlowEffect[];
}

/** A transition the machine allows. */
type Moved = { ok: true } & Transition;

export function transition(flow: LoginFlow | null, event: FlowEvent, now: number, policy: FlowPolicy): Result<Transition> {
  if (event.type === "password_verified" || event.type === "password_reset_completed") {
    if (flow !== null) return fail("invalid_request");
    return afterPassword(event, now, policy);
  }
  if (!flow || flow.expiresAt <= now || flow.state === "completed") return fail("login_expired");
  if (event.type === "expired") return { ok: true, flow: null, effects: [] };
  switch (flow.state) {
    case "second_factor":
      return onSecondFactor(flow, event);
    case "enrolment_required":
      if (event.type !== "enrolment_confirmed") return fail("two_factor_enrolment_required");
      return {
        ok: true,
        flow: { ...flow, state: "recovery_codes_shown" },
        effects: [{ type: "advance_flow", from: "enrolment_required", flow: { ...flow, state: "recovery_codes_shown" } }],
      };
    case "recovery_codes_shown":
      if (event.type !== "recovery_codes_acknowledged") return fail("two_factor_enrolment_required");
      return completed(flow, "recovery_codes_shown", [{ type: "issue_session", recoveryCodeUsed: false }, loginSucceeded("enrolment")]);
  }
}

function afterPassword(event: Extract<FlowEvent, { type: "password_verified" | "password_reset_completed" }>, now: number, policy: FlowPolicy): Moved {
  const first = defaultMethod(event.methods);
  const factor = event.type === "password_reset_completed" ? "password_reset" : "password";
  if (first && event.type === "password_verified" && event.trustedBrowser) {
    // L7: a trusted browser of this user skips the second step, never the password (this is after it).
    return {
      ok: true,
      flow: null,
      effects: [{ type: "issue_session", recoveryCodeUsed: false, passwordOnly: true }, { type: "record_event", event: "browser.remembered_login", detail: {} }, loginSucceeded("remembered_browser")],
    };
  }
  if (first) {
    // L2: the second step opens on the default method; its challenge (a sent code) goes out as it opens.
    const flow: LoginFlow = { id: event.flowId, userId: event.userId, state: "second_factor", methodId: first.id, createdAt: now, expiresAt: now + policy.loginTtlSeconds * 1000 };
    return { ok: true, flow, effects: [{ type: "store_flow", flow }, { type: "start_challenge", methodId: first.id }] };
  }
  const access = twoFactorAccess(event.requirement, false);
  if (access.access === "enrolment_only") {
    // P1 after the date: no session; the flow is the only thing this login holds, and only enrolment reads it.
    const flow: LoginFlow = { id: event.flowId, userId: event.userId, state: "enrolment_required", methodId: null, createdAt: now, expiresAt: now + policy.enrolmentTtlSeconds * 1000 };
    return { ok: true, flow, effects: [{ type: "store_flow", flow }, { type: "record_event", event: "login.enrolment_required", detail: { deadline: access.deadline } }] };
  }
  return {
    ok: true,
    flow: null,
    effects: [
      { type: "issue_session", recoveryCodeUsed: false },
      loginSucceeded(factor),
      ...(access.access === "full_with_deadline" ? [{ type: "show_deadline" as const, deadline: access.deadline }] : []),
    ],
  };
}

function onSecondFactor(flow: LoginFlow, event: Exclude<FlowEvent, { type: "password_verified" | "password_reset_completed" | "expired" }>): Result<Transition> {
  switch (event.type) {
    case "code_verified": {
      // L7: only a code of a method can remember the browser; a recovery code never does (below).
      const days = event.rememberForDays ?? 0;
      const remember = days > 0 ? [{ type: "trust_browser" as const, days }] : [];
      return completed(flow, "second_factor", [{ type: "settle_attempts" }, { type: "issue_session", recoveryCodeUsed: false }, ...remember, loginSucceeded(event.factor)]);
    }
    case "code_failed":
      // The slot was taken before the check (SECURITY 7–10): the failure is already counted; here it is logged.
      return {
        ok: true,
        flow,
        effects: [
          { type: "record_event", event: "login.second_factor_failed", detail: { factor: event.factor } },
          // SECURITY 12: the password was right but the second factor kept failing; the log says so.
          ...(event.locked ? [{ type: "record_event" as const, event: "login.locked_out" as const, detail: {} }] : []),
        ],
      };
    case "recovery_code_verified": {
      const keep = event.policy === "keep";
      return completed(flow, "second_factor", [
        { type: "record_event", event: "login.recovery_code_used", detail: { codesLeft: event.codesLeft, policy: event.policy } },
        ...(keep ? [] : [{ type: "disable_two_factor" as const }]),
        { type: "settle_attempts" },
        // R5 `keep`: the session is flagged so the next page recommends a reset.
        { type: "issue_session", recoveryCodeUsed: keep },
        loginSucceeded("recovery_code"),
      ]);
    }
    case "method_switched": {
      // L2: only the user's *own* active methods; anything else is refused.
      const method = activeMethods(event.methods).find((candidate) => candidate.id === event.methodId && candidate.userId === flow.userId);
      if (!method) return fail("invalid_request", { field: "methodId" });
      const next = { ...flow, methodId: method.id };
      return { ok: true, flow: next, effects: [{ type: "advance_flow", from: "second_factor", flow: next }, { type: "start_challenge", methodId: method.id }] };
    }
    case "enrolment_confirmed":
    case "recovery_codes_acknowledged":
      return fail("invalid_request");
  }
}

/** The flow's end: the conditional write first, so one flow yields at most one session (a new token: no fixation). */
function completed(flow: LoginFlow, from: LoginFlow["state"], then: FlowEffect[]): Moved {
  const done = { ...flow, state: "completed" as const };
  return { ok: true, flow: done, effects: [{ type: "advance_flow", from, flow: done }, ...then] };
}

function loginSucceeded(factor: string): FlowEffect {
  return { type: "record_event", event: "login.succeeded", detail: { factor } };
}
