import type { OutboxMessage } from "../../domain/model.js";
import { parseMobileNumber } from "../../domain/phone.js";
import { hashToken, isTokenShaped } from "../../security/tokens.js";
import type { ServiceDeps } from "../deps.js";
import { resolveSession } from "../sessions/sessions.js";
import { phoneOf } from "../factors/sms/sms-codes.js";

/** What a browser holds: its session cookie and its login-in-progress cookie (either may be missing). */
export interface OutboxViewer {
  sessionToken: unknown;
  loginFlowToken: unknown;
}

/**
 * Development only: the newest messages the outbox gateways kept instead of
 * sending (the /dev/outbox page, never registered in production), but only
 * those of the users this browser speaks for — its signed-in user and the user
 * of its login in progress. Everyone's texts on one page would be a second
 * factor for anyone with a password; a browser with neither sees nothing.
 */
export async function listDevelopmentOutbox(deps: ServiceDeps, viewer: OutboxViewer, limit: number): Promise<OutboxMessage[]> {
  const userIds = new Set<string>();
  const auth = await resolveSession(deps, viewer.sessionToken);
  if (auth) userIds.add(auth.user.id);
  if (isTokenShaped(viewer.loginFlowToken)) {
    const flow = await deps.store.sessions.findLoginFlowByTokenHash(hashToken(viewer.loginFlowToken));
    if (flow && flow.state !== "completed" && flow.expiresAt > deps.clock.now()) userIds.add(flow.userId);
  }
  const recipients: string[] = [];
  for (const userId of userIds) recipients.push(...(await recipientsOf(deps, userId)));
  return deps.store.outbox.listOutboxMessagesTo(recipients, limit);
}

/** The user's email address and the numbers of their SMS methods (pending ones too: a setup's code). */
async function recipientsOf(deps: ServiceDeps, userId: string): Promise<string[]> {
  const user = await deps.store.accounts.findUserById(userId);
  if (!user) return [];
  const numbers = (await deps.store.methods.listMethods(userId))
    .filter((method) => method.type === "sms")
    .map((method) => parseMobileNumber(phoneOf(deps, method), deps.config.sms.allowedCountries))
    .flatMap((phone) => (phone.ok ? [phone.e164] : []));
  return [user.email, ...numbers];
}
