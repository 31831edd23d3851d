import type { EventsDeps, EventsPorts } from "./deps.js";
import { renderEmail } from "../../domain/email-words.js";
import type { EventType, SecurityEvent, User } from "../../domain/model.js";
import { notificationFor } from "../../domain/notifications.js";
import type { DepsOf, RequestContext, ServiceDeps, StoreOf } from "../deps.js";
import { eventsThatForgetTrustedBrowsers, type ChangeThatForgetsTrustedBrowsers } from "../../domain/login-flow/trusted-browser.js";

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

type EventInput<Type extends EventType = EventType> = {
  type: Type;
  subject: User;
  actor?: User | null;
  context: RequestContext;
  detail?: SecurityEvent["detail"];
  /** A2: the admin who filed the reset request the event is about (the notification table's `filer` recipient). */
  filer?: User | null;
  /** False: record the event but send none of its emails (issue 17: the account policy turned the new sign-in email off). */
  notify?: boolean;
};

type EventDeps = Pick<ServiceDeps, "clock" | "newId" | "config">;

/**
 * Appends the event and, when the notification table (domain/notifications.ts)
 * says the event tells someone, enqueues the email on the same ports: inside
 * the caller's transaction, the message exists if and only if the change
 * committed (SPEC O3); a dispatcher sends it after commit. Given the outer
 * store, a notifying event opens its own transaction so the two writes still
 * land together. Recording an event changes nothing else: a 2FA or password
 * change is recorded with `recordChangeAndForgetTrustedBrowsers` instead, and
 * handing one to this function is refused (a type error, and a throw for a
 * type only known at run time).
 */
export async function recordEvent(deps: EventDeps, store: EventsPorts | StoreOf<keyof EventsPorts>, input: EventInput<Exclude<EventType, ChangeThatForgetsTrustedBrowsers>>): Promise<void> {
  if (eventsThatForgetTrustedBrowsers.has(input.type)) throw new Error(`${input.type} forgets the user's trusted browsers: record it with recordChangeAndForgetTrustedBrowsers`);
  await writeEvent(deps, store, input);
}

/**
 * L7: a 2FA or password change (`two_factor.enabled|disabled`,
 * `method.added|removed|reset`, `password.changed|reset`) is recorded and the
 * user's trusted browsers are forgotten (`browser.forgotten` when there were
 * any) on the same ports, so inside the change's own transaction. Every path
 * that makes such a change calls this: the user, an admin, support, a
 * recovery-code `disable`, a reset link, the storefront manager.
 */
export async function recordChangeAndForgetTrustedBrowsers(deps: EventDeps, store: EventsPorts | StoreOf<keyof EventsPorts>, input: EventInput<ChangeThatForgetsTrustedBrowsers>): Promise<void> {
  if (!eventsThatForgetTrustedBrowsers.has(input.type)) throw new Error(`${input.type} is not a change that forgets trusted browsers`);
  // Given the outer store, the three writes still land together.
  if ("transaction" in store) return store.transaction((tx) => recordChangeAndForgetTrustedBrowsers(deps, tx, input));
  await writeEvent(deps, store, input);
  const count = await store.trustedBrowsers.forgetUserTrustedBrowsers(input.subject.id);
  // Nobody chose to forget them, whoever made the change.
  if (count > 0) await writeEvent(deps, store, { type: "browser.forgotten", subject: input.subject, actor: null, context: input.context, detail: { count, reason: input.type } });
}

async function writeEvent(deps: EventDeps, store: EventsPorts | StoreOf<keyof EventsPorts>, input: EventInput): Promise<void> {
  // With no email gateway (TWOSTEP_EMAIL_GATEWAY=none) nothing would ever send the row: none is written.
  const notification = deps.config.email.gateway === "none" || input.notify === false ? undefined : notificationFor(input.type);
  if (notification && "transaction" in store) return store.transaction((tx) => writeEvent(deps, tx, input));
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
  if (!notification) return;
  const actor = input.actor && input.actor.id !== input.subject.id ? input.actor : null;
  const detail = input.detail ?? {};
  for (const recipient of notification.to) {
    // `subject`: the user the change happened to; `filer`: the admin who filed the reset
    // request (A2), told about the user by name. Nobody is told twice.
    const to = recipient === "subject" ? input.subject : input.filer && input.filer.id !== input.subject.id ? input.filer : null;
    if (!to) continue;
    // Only these named facts reach the words: a detail field added later cannot leak into an email by accident.
    const email = renderEmail(notification.kind, {
      displayName: to.displayName,
      aboutName: to.id === input.subject.id ? null : input.subject.displayName,
      at: now,
      clientAddress: input.context.clientAddress,
      actorName: actor?.displayName ?? null,
      ...(typeof detail.type === "string" ? { methodType: detail.type } : {}),
      ...(typeof detail.name === "string" ? { methodName: detail.name } : {}),
      ...(typeof detail.codesLeft === "number" ? { codesLeft: detail.codesLeft } : {}),
      ...(typeof detail.deadline === "number" ? { deadline: detail.deadline } : {}),
      ...(typeof detail.daysBefore === "number" ? { daysBefore: detail.daysBefore } : {}),
      ...(typeof detail.days === "number" ? { rememberDays: detail.days } : {}),
      ...(typeof detail.reviewReason === "string" ? { reviewReason: detail.reviewReason } : {}),
      ...(typeof detail.provider === "string" ? { providerName: detail.provider } : {}),
      ...(typeof detail.browser === "string" ? { browserName: detail.browser } : {}),
      ...(typeof detail.os === "string" ? { osName: detail.os } : {}),
      ...(typeof detail.place === "string" ? { place: detail.place } : {}),
      securityUrl: `${deps.config.publicUrl}${notification.page ?? "/settings/security"}`,
    });
    await store.messages.enqueue({ id: deps.newId(), channel: "email", recipient: to.email, kind: notification.kind, subject: email.subject, textBody: email.text, htmlBody: email.html, createdAt: now });
  }
}

/**
 * A wrong password or code given to confirm a change (enrolment, regenerate,
 * disable, reset, delete): logged one by one (SECURITY 34), plus the lock it
 * started, if any (SECURITY 12).
 */
export async function recordVerificationFailure(
  deps: DepsOf<"clock" | "newId" | "config", "events" | "messages" | "accounts" | "methods" | "trustedBrowsers">,
  user: User,
  input: { action: string; factor: string; locked: boolean; context: RequestContext },
): Promise<void> {
  await deps.store.transaction(async (store) => {
    await recordEvent(deps, store, { type: "verification.failed", subject: user, actor: null, context: input.context, detail: { action: input.action, factor: input.factor } });
    if (input.locked) await recordEvent(deps, store, { type: "login.locked_out", subject: user, actor: null, context: input.context });
  });
}

export function listOwnEvents(deps: EventsDeps, user: User, limit = 50): Promise<SecurityEvent[]> {
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
  "method.clone_refused": "Security key refused: its signature counter went backwards (a copied key?)",
  "method.renamed": "Method renamed",
  "recovery_codes.generated": "Recovery codes generated",
  "password.changed": "Password changed",
  "password.reset": "Password reset",
  "password.set": "Password chosen from the invitation",
  "user.created": "User created",
  "user.deactivated": "User deactivated",
  "user.reactivated": "User reactivated",
  "policy.changed": "Policy changed",
  "login.enrolment_required": "Password accepted; two-factor setup required before login",
  "two_factor.reminder": "Reminder sent to set up two-factor authentication",
  "login.password_throttled": "Password guessing slowed down after repeated wrong passwords",
  "access.denied": "Refused: not allowed to do that",
  "session.confirmed": "Confirmed it's you",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "two_factor.reset_requested": "Two-factor reset requested from support",
  "two_factor.reset_approved": "Two-factor reset approved by support",
  "two_factor.reset_rejected": "Two-factor reset rejected by support",
  "browser.remembered": "Browser remembered: no second step on it for a while",
  "browser.remembered_login": "Logged in on a remembered browser (no second step)",
  "login.new_browser": "Signed in from a new browser",
  "session.ended": "Signed out a session",
  "session.others_ended": "Signed out everywhere else",
  "session.all_ended": "Signed out everywhere by an administrator",
  "browser.forgotten": "Remembered browsers forgotten",
  "app.signed_in": "Signed in to an app",
  "app.signed_out": "Signed out of an app",
};
