import type { EnrolmentDeps, EnrolmentPorts } from "./deps.js";
import type { User } from "../../domain/model.js";
import type { RequestContext } from "../deps.js";
import { recordChangeAndForgetTrustedBrowsers } from "../events/audit.js";
import { endAppSessions } from "../apps/app-sessions.js";

/**
 * Turns 2FA off for `user` (D1, R5 `disable`): every method and every recovery
 * code goes, and every session of the user ends (SECURITY 30) but `keepSessionId`.
 * Runs inside the caller's transaction.
 */
export async function removeTwoFactor(
  deps: EnrolmentDeps,
  store: EnrolmentPorts,
  user: User,
  context: RequestContext,
  options: { reason: string; actor?: User | null; keepSessionId?: string; detail?: Record<string, string> },
): Promise<void> {
  await store.methods.deleteAllMethods(user.id);
  await store.codes.deleteRecoveryCodes(user.id);
  await store.sessions.revokeUserSessions(user.id, deps.clock.now(), options.keepSessionId);
  await endAppSessions(deps, store, { userId: user.id, ...(options.keepSessionId ? { exceptSessionId: options.keepSessionId } : {}) });
  await recordChangeAndForgetTrustedBrowsers(deps, store, { type: "two_factor.disabled", subject: user, actor: options.actor, context, detail: { ...options.detail, reason: options.reason } });
}
