import type { SessionsDeps, SessionsPorts } from "./deps.js";
import type { Account, Session, User } from "../../domain/model.js";
import { createToken, hashToken, isTokenShaped } from "../../security/tokens.js";
import type { RequestContext } from "../deps.js";
import { recordEvent } from "../events/audit.js";
import { endAppSessions } from "../apps/app-sessions.js";

/**
 * Sessions exist only after every required factor (L5). Each login makes a new
 * random token (no fixation); only its hash is stored.
 */
export async function issueSession(
  deps: SessionsDeps,
  store: SessionsPorts,
  user: User,
  context: RequestContext,
  options: { recoveryCodeUsed?: boolean; stepUpWindow?: boolean } = {},
): Promise<{ token: string; session: Session }> {
  const now = deps.clock.now();
  const token = createToken();
  const session: Session = {
    id: deps.newId(),
    userId: user.id,
    createdAt: now,
    expiresAt: now + deps.config.sessionTtlSeconds * 1000,
    // A login that skipped a 2FA user's second factor opens no step-up window (SECURITY 17).
    authenticatedAt: options.stepUpWindow === false ? 0 : now,
    recoveryCodeUsed: options.recoveryCodeUsed ?? false,
    lastActiveAt: now,
  };
  await store.sessions.insertSession(session, hashToken(token), context);
  return { token, session };
}

export interface Authenticated {
  session: Session;
  user: User;
  /** The user's account: what the access table (domain/access.ts) decides by. */
  account: Account;
}

/** Issue 17: "last active" is written at most once per this many ms per session, never on every request. */
export const lastActiveInterval = 60_000;

export async function resolveSession(deps: SessionsDeps, token: unknown): Promise<Authenticated | undefined> {
  if (!isTokenShaped(token)) return undefined;
  const now = deps.clock.now();
  const found = await deps.store.sessions.findLiveSession(hashToken(token), now);
  if (!found || !found.user.active) return undefined;
  if (now - found.session.lastActiveAt >= lastActiveInterval) found.session = await noteActivity(deps, found.session, now);
  return found;
}

/**
 * "Last active" (issue 17): a session read a minute or more after its last mark gets one
 * conditional write (`touchSession`: only while the stored mark is still that old, so racing
 * requests and instances write once); every other request writes nothing.
 */
async function noteActivity(deps: SessionsDeps, session: Session, now: number): Promise<Session> {
  await deps.store.sessions.touchSession(session.id, now, now - lastActiveInterval);
  return { ...session, lastActiveAt: now };
}

export async function endSession(deps: SessionsDeps, auth: Authenticated, context: RequestContext): Promise<void> {
  await deps.store.transaction(async (store) => {
    await store.sessions.revokeSession(auth.session.id, deps.clock.now());
    // The apps signed in through this session end with it (back-channel logout through the outbox).
    await endAppSessions(deps, store, { userId: auth.user.id, onlySessionId: auth.session.id });
    await recordEvent(deps, store, { type: "logout", subject: auth.user, context });
  });
}

/** The signed-in user as an actor of the access table. */
export function sessionActor(auth: Authenticated): import("../access/access.js").Actor {
  return { user: auth.user, account: auth.account, session: auth.session, via: "session" };
}
