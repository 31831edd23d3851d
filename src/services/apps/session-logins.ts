import type { AppsPorts } from "./deps.js";
import type { Session, User } from "../../domain/model.js";

/**
 * Records which factor a new twostep session's login ended with, in the
 * session's own transaction, so the apps' tokens can say how the user logged
 * in. A required enrolment names the factor just confirmed (`enrolment:totp`).
 */
export async function recordSessionLogin(store: AppsPorts, user: User, session: Session, factor: string): Promise<void> {
  let named = factor;
  if (factor === "enrolment") {
    const active = (await store.methods.listMethods(user.id)).filter((method) => method.status === "active");
    const newest = active.sort((a, b) => (b.confirmedAt ?? 0) - (a.confirmedAt ?? 0))[0];
    named = newest ? `enrolment:${newest.type}` : "password";
  }
  await store.sessionLogins.recordSessionLogin({ sessionId: session.id, factor: named, createdAt: session.createdAt });
}

/**
 * The link between a twostep session and the provider's sessions, for
 * provider sessions signed in to before `linkSignIn` recorded one: an app's
 * sign-in finishes with the twostep session's login, whose time (in whole
 * seconds, the ID token's `auth_time`) becomes the provider session's
 * `loginTs` (http/oidc/interaction-routes.ts). The same link binds a code or a
 * refresh token to its twostep session (claims.ts).
 */
export function providerSessionOf(session: Pick<Session, "createdAt">, loginTs: number | undefined): boolean {
  return typeof loginTs === "number" && Math.floor(session.createdAt / 1000) === loginTs;
}

/**
 * At each app sign-in: the provider session (by its uid) belongs to this
 * twostep session from now on (a later login in the same browser moves it),
 * so ending that twostep session ends exactly these apps (app-sessions.ts).
 */
export async function linkSignIn(store: Pick<AppsPorts, "sessionLogins">, providerSessionUid: string, sessionId: string, at: number): Promise<void> {
  await store.sessionLogins.linkProviderSession(providerSessionUid, sessionId, at);
}
