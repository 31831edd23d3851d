import type { EventType, SecurityEvent, User } from "../domain/model.js";
import type { Stores } from "../store/store.js";
import type { RequestContext, ServiceDeps } from "./deps.js";

/**
 * The event log (A4, SECURITY 34): append-only, written in the same transaction
 * as the change it records. Details never hold a code, secret or token.
 */
/**
 * Event ids are unique and begin with the time, so new ids land at the end of
 * the id index (random ids scatter inserts over the whole index: more pages
 * written per commit). They do not decide the order of the log: that is the
 * database's `seq`, which every instance shares.
 */
export function newEventId(deps: Pick<ServiceDeps, "newId">, now: number): string {
  return `${now.toString(36).padStart(9, "0")}-${deps.newId()}`;
}

export async function recordEvent(
  deps: Pick<ServiceDeps, "clock" | "newId">,
  store: Stores,
  input: { type: EventType; subject: User; actor?: User | null; context: RequestContext; detail?: SecurityEvent["detail"] },
): Promise<void> {
  const now = deps.clock.now();
  await store.events.appendEvent({
    id: newEventId(deps, now),
    accountId: input.subject.accountId,
    actorUserId: input.actor === undefined ? input.subject.id : (input.actor?.id ?? null),
    subjectUserId: input.subject.id,
    type: input.type,
    detail: input.detail ?? {},
    clientAddress: input.context.clientAddress,
    userAgent: input.context.userAgent?.slice(0, 256) ?? null,
    createdAt: now,
  });
}

/**
 * A wrong password or code given to confirm a change (enrolment, regenerate,
 * disable, reset, delete): logged one by one (SECURITY 34), plus the lock it
 * started, if any (SECURITY 12).
 */
export async function recordVerificationFailure(
  deps: Pick<ServiceDeps, "clock" | "newId" | "store">,
  user: User,
  input: { action: string; factor: string; locked: boolean; context: RequestContext },
): Promise<void> {
  await recordEvent(deps, deps.store, { type: "verification.failed", subject: user, actor: null, context: input.context, detail: { action: input.action, factor: input.factor } });
  if (input.locked) await recordEvent(deps, deps.store, { type: "login.locked_out", subject: user, actor: null, context: input.context });
}

export function listOwnEvents(deps: ServiceDeps, user: User, limit = 50): Promise<SecurityEvent[]> {
  return deps.store.events.listEvents({ subjectUserId: user.id, limit });
}

/** Words people read on the security page for each event type. */
export const eventLabels: Record<EventType, string> = {
  "login.succeeded": "Logged in",
  "login.password_failed": "Wrong password entered",
  "login.second_factor_failed": "Wrong two-factor code entered",
  "login.locked_out": "Two-factor login locked after repeated failures",
  "verification.failed": "Wrong password or code entered to confirm a change",
  "login.recovery_code_used": "Logged in with a recovery code",
  logout: "Logged out",
  "two_factor.enabled": "Two-factor authentication enabled",
  "two_factor.disabled": "Two-factor authentication disabled",
  "method.added": "Method added",
  "method.removed": "Method removed",
  "method.made_default": "Default method changed",
  "method.reset": "Method reset",
  "recovery_codes.generated": "Recovery codes generated",
  "password.changed": "Password changed",
  "user.created": "User created",
  "user.deactivated": "User deactivated",
  "policy.changed": "Policy changed",
  "login.enrolment_required": "Password accepted; two-factor setup required before login",
  "two_factor.reminder": "Reminder sent to set up two-factor authentication",
  "login.password_throttled": "Password guessing slowed down after repeated wrong passwords",
};
