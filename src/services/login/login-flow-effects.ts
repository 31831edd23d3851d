import type { LoginDeps, LoginPorts } from "./deps.js";
import { fail, type Outcome, type Result } from "../../domain/errors.js";
import { transition, type FlowEvent, type FlowPolicy, type Transition } from "../../domain/login-flow/machine.js";
import type { EventType, LoginFlow, User } from "../../domain/model.js";
import type { RequestContext } from "../deps.js";
import { recordEvent } from "../events/audit.js";
import { issueSession } from "../sessions/sessions.js";
import { settleSuccessfulAttempt } from "../throttle/throttle.js";
import { removeTwoFactor } from "../enrolment/two-factor-removal.js";
import { trustBrowser } from "./trusted-browsers.js";
import { recordSessionLogin } from "../apps/session-logins.js";

/** What carrying out a transition left for the caller: a session to hand out, a code to send after commit, a deadline to show. */
export interface FlowOutcome {
  flow: LoginFlow | null;
  sessionToken?: string;
  /** Sent after the transaction: a text message must not hold the database's write lock. */
  challengeMethodId?: string;
  deadline?: number;
  /** L7: the new trusted-browser token, for the cookie only (never a body, log or event). */
  trustedBrowserToken?: string;
}

/** Events that are failures: nobody acted, so no actor is recorded. */
const failureEvents = new Set<EventType>(["login.second_factor_failed", "login.locked_out"]);

export function flowPolicy(deps: LoginDeps): FlowPolicy {
  return { loginTtlSeconds: deps.config.loginTtlSeconds, enrolmentTtlSeconds: deps.config.enrolmentTtlSeconds };
}

/** The machine's decision for this event, at the service's clock. */
export function decide(deps: LoginDeps, flow: LoginFlow | null, event: FlowEvent): Result<Transition> {
  return transition(flow, event, deps.clock.now(), flowPolicy(deps));
}

/**
 * Carries out a transition's effects in order, on `store` (a transaction's
 * ports when several writes must land together). `advance_flow` comes first
 * in every transition that has it and is one conditional write: when it
 * touches no row (completed or expired meanwhile) nothing has been written
 * and the answer is `login_expired`. `afterAdvance` runs right after it (the
 * recovery code's own single-use write).
 */
export async function carryOut(
  deps: LoginDeps,
  store: LoginPorts,
  user: User,
  decided: Transition,
  context: RequestContext,
  options: { flowTokenHash?: string; afterAdvance?: () => Promise<Outcome> } = {},
): Promise<Result<FlowOutcome>> {
  const outcome: FlowOutcome = { flow: decided.flow };
  const now = deps.clock.now();
  for (const effect of decided.effects) {
    switch (effect.type) {
      case "store_flow":
        if (!options.flowTokenHash) throw new Error("store_flow needs the flow token's hash");
        await store.sessions.insertLoginFlow(effect.flow, options.flowTokenHash);
        break;
      case "advance_flow": {
        // Single use: of two racing requests on one flow only one moves it (the hot completion is a prepared statement).
        const moved =
          effect.from === "second_factor" && effect.flow.state === "completed"
            ? await store.sessions.completeLoginFlow(effect.flow.id, now)
            : await store.sessions.advanceLoginFlow(effect.flow, effect.from, now);
        if (!moved) return fail("login_expired");
        if (options.afterAdvance) {
          const after = await options.afterAdvance();
          if (!after.ok) return after;
        }
        break;
      }
      case "settle_attempts":
        await settleSuccessfulAttempt(deps, store, user.id, context);
        break;
      case "issue_session":
        // A new random token for every login: no session fixation (only its hash is stored).
      {
        const issued = await issueSession(deps, store, user, context, { recoveryCodeUsed: effect.recoveryCodeUsed, stepUpWindow: !effect.passwordOnly });
        outcome.sessionToken = issued.token;
        // Issue 15: how this session was made (the apps' amr/acr), named by the transition's login.succeeded event.
        await recordSessionLogin(store, user, issued.session, loginFactorOf(decided));
        break;
      }
      case "start_challenge":
        outcome.challengeMethodId = effect.methodId;
        break;
      case "record_event":
        await recordEvent(deps, store, { type: effect.event, subject: user, context, detail: effect.detail, ...(failureEvents.has(effect.event) ? { actor: null } : {}) });
        break;
      case "show_deadline":
        outcome.deadline = effect.deadline;
        break;
      case "disable_two_factor":
        await removeTwoFactor(deps, store, user, context, { reason: "recovery_code_login" });
        break;
      case "trust_browser":
        outcome.trustedBrowserToken = await trustBrowser(deps, store, user, effect.days, context);
        break;
    }
  }
  return { ok: true, ...outcome };
}

/** The factor the transition's `login.succeeded` event names (`password` when it names none). */
function loginFactorOf(decided: Transition): string {
  for (const effect of decided.effects) {
    if (effect.type === "record_event" && effect.event === "login.succeeded" && typeof effect.detail.factor === "string") return effect.detail.factor;
  }
  return "password";
}
