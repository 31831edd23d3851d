import type { Method, MethodType } from "../../domain/model.js";
import type { Store } from "../../store/store.js";
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
  /**
   * True when `code` is right for `method` *and* has now been consumed (replay,
   * SECURITY 4): a second call with the same code returns false.
   * `binding.flowId` ties codes that were sent for one login to that login.
   */
  verifyAndConsume(deps: ServiceDeps, store: Store, method: Method, code: string, binding: { flowId: string | null }): Promise<boolean>;
}
