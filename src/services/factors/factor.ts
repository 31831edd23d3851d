import type { ErrorCode } from "../../domain/errors.js";
import type { Method, MethodType, SmsPurpose } from "../../domain/model.js";
import type { Stores } from "../../store/store.js";
import type { ServiceDeps } from "../deps.js";

/**
 * A second factor plugs into the login and settings flows through this
 * interface (Kratos' "strategy", Keycloak's "authenticator"). The flows own
 * throttling, events and sessions; a factor only says whether a code is right
 * for one of its methods, and makes that code unusable again in the same write.
 */
export interface Factor {
  type: MethodType;
  /** Shown in method lists and on the second step. */
  label: string;
  /** Whether `code` has the shape this factor's codes have (checked before any counting). */
  isWellFormed(code: string): boolean;
  /** The catalogue code for a wrong code, with hints that fit this factor. */
  wrongCode: ErrorCode;
  /**
   * True when `code` is right for `method` *and* has now been consumed (replay,
   * SECURITY 4): a second call with the same code returns false.
   * `binding` ties codes that were *sent* (SMS) to what asked for them: the
   * login flow, the pending method, or the session (SECURITY 24).
   */
  verifyAndConsume(deps: ServiceDeps, store: Stores, method: Method, code: string, binding: CodeBinding): Promise<boolean>;
}

export interface CodeBinding {
  purpose: SmsPurpose;
  bindingId: string;
}
