import type { ErrorCode } from "../domain/errors.js";
import type { Method, User } from "../domain/model.js";
import type { RequestContext, ServiceDeps } from "./deps.js";
import { sendSmsCode } from "./sms-codes.js";

/** What happened to the code of a method whose codes are sent (SMS) when the second step showed it. */
export type CodeDelivery = { status: "not_needed" } | { status: "sent"; expiresAt: number } | { status: "failed"; code: ErrorCode; retryAfterSeconds?: number };

/**
 * Sends a login code for `method` if it is a method whose codes are sent.
 * A code already sent for this login within the resend interval is kept, so
 * switching back and forth does not send a text each time.
 */
export async function deliverCodeIfSent(deps: ServiceDeps, user: User, method: Method, flowId: string, context: RequestContext): Promise<CodeDelivery> {
  if (method.type !== "sms") return { status: "not_needed" };
  const sent = await sendSmsCode(deps, { user, method, purpose: "login", bindingId: flowId, context });
  if (sent.ok) return { status: "sent", expiresAt: sent.expiresAt };
  if (sent.code === "sms_resend_too_soon") {
    // The code texted moments ago for this login is still the one to enter: say so, with its expiry.
    const kept = await deps.store.codes.findLatestSmsCode(method.id, "login", flowId);
    return kept ? { status: "sent", expiresAt: kept.expiresAt } : { status: "not_needed" };
  }
  return { status: "failed", code: sent.code, ...(sent.retryAfterSeconds ? { retryAfterSeconds: sent.retryAfterSeconds } : {}) };
}
