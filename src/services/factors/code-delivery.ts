import type { FactorsDeps } from "./deps.js";
import type { ErrorCode } from "../../domain/errors.js";
import type { Method, User } from "../../domain/model.js";
import type { RequestContext } from "../deps.js";
import { factorFor } from "./registry.js";

/** What happened to the code of a method whose codes are sent (SMS) when the second step showed it. */
export type CodeDelivery =
  | { status: "not_needed" }
  | { status: "sent"; expiresAt: number }
  /** A security key: nothing was sent; the browser answers these options (WebAuthn request options). */
  | { status: "browser_prompt"; expiresAt: number; browserOptions: unknown }
  | { status: "failed"; code: ErrorCode; retryAfterSeconds?: number };

/**
 * Sends a login code for `method` if it is a method whose codes are sent.
 * A code already sent for this login within the resend interval is kept, so
 * switching back and forth does not send a text each time.
 */
export async function deliverCodeIfSent(deps: FactorsDeps, user: User, method: Method, flowId: string, context: RequestContext): Promise<CodeDelivery> {
  const sent = await factorFor(method.type).startChallenge(deps, { user, method, binding: { purpose: "login", bindingId: flowId }, context, keepRecent: true });
  if (!sent) return { status: "not_needed" };
  if (sent.ok) return sent.browserOptions === undefined ? { status: "sent", expiresAt: sent.expiresAt } : { status: "browser_prompt", expiresAt: sent.expiresAt, browserOptions: sent.browserOptions };
  return { status: "failed", code: sent.code, ...(sent.retryAfterSeconds ? { retryAfterSeconds: sent.retryAfterSeconds } : {}) };
}
