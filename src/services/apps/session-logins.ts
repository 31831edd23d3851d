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
