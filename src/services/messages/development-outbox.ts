import type { MessagesDeps } from "./deps.js";
import type { OutboxMessage } from "../../domain/model.js";
import { hashToken, isTokenShaped } from "../../security/tokens.js";
import { resolveSession } from "../sessions/sessions.js";
import { factorFor } from "../factors/registry.js";
export { isLoopbackAddress } from "../../security/loopback.js";

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
export async function listDevelopmentOutbox(deps: MessagesDeps, viewer: OutboxViewer, limit: number): Promise<OutboxMessage[]> {
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

/** The user's email address and where their methods' messages go (SMS numbers, pending ones too: a setup's code). */
async function recipientsOf(deps: MessagesDeps, userId: string): Promise<string[]> {
  const user = await deps.store.accounts.findUserById(userId);
  if (!user) return [];
  const methods = await deps.store.methods.listMethods(userId);
  const numbers = (await Promise.all(methods.map((method) => factorFor(method.type).messageRecipient(deps, method)))).filter((number) => number !== null);
  return [user.email, ...numbers];
}
