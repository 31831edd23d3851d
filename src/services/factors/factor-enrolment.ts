import type { Outcome, Result } from "../../domain/errors.js";
import type { Method, User } from "../../domain/model.js";
import type { RequestContext, ServiceDeps } from "../deps.js";
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
  confirmWithCode: ((deps: ServiceDeps, owner: EnrolmentOwner, input: { methodId: string; code: string }, context: RequestContext) => Promise<Result<{ recoveryCodes: string[] | null; replaced: boolean }>>) | null;
  /** M4: setting the same method up again on a new device; null when it never is (a key: add another, remove the old). */
  reset: FactorReset | null;
}

/** What a reset asks for beside a current code of the method, and how the replacement is begun. */
export interface FactorReset {
  /** Fields the reset form and body carry beside the code (SMS: the new number). */
  fields: readonly ResetField[];
  /** Checks those fields before the code is spent: bad input changes nothing. */
  check(deps: ServiceDeps, input: ResetInput): Outcome;
  /** A pending method that replaces `old` once confirmed; `old` keeps working until then. */
  begin(deps: ServiceDeps, user: User, old: Method, input: ResetInput, context: RequestContext): Promise<Result<ResetBegun>>;
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
