import type { FactorsDeps } from "./deps.js";
import type { Outcome, Result } from "../../domain/errors.js";
import type { Method, User } from "../../domain/model.js";
import type { RequestContext } from "../deps.js";
import type { EnrolmentOwner } from "../enrolment/method-activation.js";

/**
 * The enrolment half of a factor, beside its proof and challenge (factor.ts):
 * how a pending method of it is confirmed, and how it is set up again (M4
 * reset). Kept apart from `Factor` because enrolment needs the activation
 * services, which themselves ask the factor registry: one registry each keeps
 * the imports one-way. The core (required enrolment at login, reset) asks
 * here and never picks a setup by type.
 */
export interface FactorEnrolment {
  /**
   * Confirms the user's own pending method of this factor with a code (the
   * same checks for every factor: format, owner, a slot on the counter, the
   * factor's single-use check). Null when the setup is a ceremony of its own
   * (a key's creation answer, factors/webauthn/enrolment.ts).
   */
  confirmWithCode: ((deps: FactorsDeps, owner: EnrolmentOwner, input: { methodId: string; code: string }, context: RequestContext) => Promise<Result<{ recoveryCodes: string[] | null; replaced: boolean }>>) | null;
  /** M4: setting the same method up again on a new device; null when it never is (a key: add another, remove the old). */
  reset: FactorReset | null;
  /**
   * P1: the steps of setting up a first method inside a login that may only
   * enrol (begin, show, resend, confirm: whichever this factor has), by name.
   * `enrolment/required-enrolment.ts#requiredEnrolmentStep` is their one entry
   * point: it checks the login, then runs the step the route names.
   */
  firstMethod: Record<string, FirstMethodStep>;
}

/**
 * A login waiting for its first method, as a factor's first-method steps see
 * it once required-enrolment.ts has checked it (open, still waiting, this
 * factor allowed by the policy, no method yet).
 */
export interface FirstMethodLogin {
  user: User;
  /** The login flow's id: what a key's creation challenge is bound to. */
  flowId: string;
  /** Moves the login on in the activation's transaction (and issues the session when the codes travel in this answer). */
  owner: EnrolmentOwner;
  /** The session token once `owner` issued one, else null. */
  sessionToken(): string | null;
  /** Issue 7: with that session, the new known-browser token `owner` stored in the same transaction. */
  browserToken(): { browserToken?: string };
}

/** The first method is on: its recovery codes, and the session when it was issued with them (the API). */
export interface FirstMethodConfirmed {
  recoveryCodes: string[] | null;
  sessionToken: string | null;
  /** Issue 7: with the session, a new known-browser token, stored in the same transaction. */
  browserToken?: string;
  user: User;
}

/** One step of a first-method setup, with its own input and answer (`any` here: each factor names its own, and the entry point types it per factor). */
export type FirstMethodStep<Input = any, Answer = unknown> = (deps: FactorsDeps, login: FirstMethodLogin, input: Input, context: RequestContext) => Promise<Result<Answer>>;

/** The login's answer once a first method was confirmed by `owner`. */
export function firstMethodConfirmed(login: FirstMethodLogin, recoveryCodes: string[] | null): Result<FirstMethodConfirmed> {
  return { ok: true, recoveryCodes, sessionToken: login.sessionToken(), user: login.user, ...login.browserToken() };
}

/** The confirm step of a factor confirmed with a code: its own `confirmWithCode`, on behalf of the login. */
export function confirmFirstMethodWithCode(
  confirm: NonNullable<FactorEnrolment["confirmWithCode"]>,
): FirstMethodStep<{ methodId: string; code: string }, FirstMethodConfirmed> {
  return async (deps, login, input, context) => {
    const result = await confirm(deps, login.owner, input, context);
    return result.ok ? firstMethodConfirmed(login, result.recoveryCodes) : result;
  };
}

/** What a reset asks for beside a current code of the method, and how the replacement is begun. */
export interface FactorReset {
  /** Fields the reset form and body carry beside the code (SMS: the new number). */
  fields: readonly ResetField[];
  /** Checks those fields before the code is spent: bad input changes nothing. */
  check(deps: FactorsDeps, input: ResetInput): Promise<Outcome>;
  /** A pending method that replaces `old` once confirmed; `old` keeps working until then. */
  begin(deps: FactorsDeps, user: User, old: Method, input: ResetInput, context: RequestContext): Promise<Result<ResetBegun>>;
}

export interface ResetField {
  name: keyof ResetInput;
  label: string;
  type: "tel" | "text";
  autocomplete: string;
  hint: string;
}

export interface ResetInput {
  phoneNumber?: string | undefined;
}

/** The pending replacement; `codeSentTo` when its setup sent a code (SMS: the masked number and when the code expires). */
export interface ResetBegun {
  methodId: string;
  codeSentTo: { maskedPhone: string; expiresAt: number } | null;
}
