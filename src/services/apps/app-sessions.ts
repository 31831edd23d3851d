import type { AppsDeps, AppsPorts } from "./deps.js";
import type { BackchannelLogout } from "../deps.js";
import type { Session } from "../../domain/model.js";
import type { StoredOidcPayload } from "../../store/store.js";
import { payloadIdHash } from "./provider-names.js";
import { providerSessionOf } from "./session-logins.js";

/** The outbox's channel and kind for a back-channel logout (store/ports/messages.ts). */
export const backchannelLogoutChannel = "backchannel_logout";
export const backchannelLogoutKind = "app.backchannel_logout";

/** What one back-channel logout will say (the port's type): the library makes the logout token from these at send time (backchannel-delivery.ts). */
export type { BackchannelLogout };

/** The part of the provider's stored `Session` model read here (the library's `lib/models/session.js`). */
interface ProviderSessionPayload {
  accountId?: string;
  loginTs?: number;
  authorizations?: Record<string, { sid?: string; grantId?: string }>;
}

/** Which twostep sessions end: every one of the user's, `onlySessionId`, or all but `exceptSessionId` (the browser that asked). */
export interface EndingSessions {
  userId: string;
  onlySessionId?: string;
  exceptSessionId?: string;
}

type EndDeps = Pick<AppsDeps, "clock" | "newId">;
type EndPorts = Pick<AppsPorts, "oidcPayloads" | "oidcClients" | "messages" | "sessionLogins">;

/** When a twostep session was made (its login), for the login-time link to the provider's sessions; null when unknown. */
async function madeAt(store: EndPorts, sessionId: string | undefined): Promise<Pick<Session, "createdAt"> | null | undefined> {
  if (sessionId === undefined) return undefined;
  const login = await store.sessionLogins.findSessionLogin(sessionId);
  return login ? { createdAt: login.createdAt } : null;
}

/**
 * The one hook of every path that ends twostep sessions (logout, a 2FA change
 * or removal, deactivation, password reset, "sign out everywhere", …), called
 * on the ports of that path's own transaction: each provider session that
 * belongs to an ending twostep session is destroyed, the grant of each app
 * signed in through it is revoked (its refresh and access tokens with it: the
 * app cannot renew silently), and each app that registered a back-channel URI
 * gets a logout queued in the outbox. The logout is sent after commit by the
 * message dispatcher, retried until the app takes it, once across instances;
 * if the transaction rolls back, nothing is queued and nothing is ended.
 * Returns how many logouts were queued.
 */
export async function endAppSessions(deps: EndDeps, store: EndPorts, ending: EndingSessions): Promise<number> {
  const now = deps.clock.now();
  const [only, except] = [await madeAt(store, ending.onlySessionId), await madeAt(store, ending.exceptSessionId)];
  const rows = await store.oidcPayloads.listOidcPayloadsByAccount("Session", ending.userId, now);
  const uids = rows.flatMap((row) => (row.uid ? [row.uid] : []));
  const links = new Map((await store.sessionLogins.findProviderSessionLinks(uids)).map((link) => [link.providerSessionUid, link.sessionId]));
  let queued = 0;
  for (const row of rows) {
    const payload = JSON.parse(row.payload) as ProviderSessionPayload;
    const linked = row.uid ? links.get(row.uid) : undefined;
    // The link recorded at sign-in says which twostep session; without one (signed in before it existed), the login time.
    const isOf = (sessionId: string, made: Pick<Session, "createdAt"> | null | undefined) => (linked !== undefined ? linked === sessionId : made ? providerSessionOf(made, payload.loginTs) : false);
    if (ending.onlySessionId !== undefined && !isOf(ending.onlySessionId, only)) continue;
    if (ending.exceptSessionId !== undefined && isOf(ending.exceptSessionId, except)) continue;
    for (const [clientId, authorization] of Object.entries(payload.authorizations ?? {})) {
      if (await endAuthorization(deps, store, ending.userId, clientId, authorization)) queued++;
    }
    await store.oidcPayloads.destroyOidcPayload("Session", row.idHash);
    if (row.uid) await store.sessionLogins.unlinkProviderSession(row.uid);
  }
  return queued;
}

/**
 * One app's sign-in through one provider session ends: its grant is revoked
 * and, if the app registered a back-channel URI, a logout is queued. True
 * when one was queued.
 */
async function endAuthorization(deps: EndDeps, store: EndPorts, userId: string, clientId: string, authorization: { sid?: string; grantId?: string }): Promise<boolean> {
  if (authorization.grantId) {
    await store.oidcPayloads.revokeOidcPayloadsByGrantId(authorization.grantId);
    await store.oidcPayloads.destroyOidcPayload("Grant", payloadIdHash(authorization.grantId));
  }
  const client = await store.oidcClients.findOidcClient(clientId);
  if (!client?.backchannelLogoutUri || !authorization.sid) return false;
  await queueBackchannelLogout(deps, store, { clientId, sub: userId, sid: authorization.sid });
  return true;
}

/** Queues one back-channel logout in the outbox, on the ports given (a transaction's, to land with its change). */
export async function queueBackchannelLogout(deps: EndDeps, store: Pick<AppsPorts, "messages">, logout: BackchannelLogout): Promise<void> {
  await store.messages.enqueue({
    id: deps.newId(),
    channel: backchannelLogoutChannel,
    recipient: logout.clientId,
    kind: backchannelLogoutKind,
    subject: "",
    textBody: "",
    htmlBody: "",
    payload: JSON.stringify(logout),
    createdAt: deps.clock.now(),
  });
}

/** An app the user is signed in to: through one or more provider sessions (browsers). */
export interface SignedInApp {
  clientId: string;
  name: string;
  /** The earliest sign-in still live (ms). */
  signedInAt: number;
}

/** "Apps you are signed in to" (issue 15 item 6): every app with a live sign-in of this user, oldest first. */
export async function listSignedInApps(deps: Pick<AppsDeps, "clock" | "store">, userId: string): Promise<SignedInApp[]> {
  const now = deps.clock.now();
  const found = new Map<string, number>();
  for (const row of await deps.store.oidcPayloads.listOidcPayloadsByAccount("Session", userId, now)) {
    const payload = JSON.parse(row.payload) as ProviderSessionPayload;
    for (const [clientId, authorization] of Object.entries(payload.authorizations ?? {})) {
      const at = await signedInAt(deps, authorization.grantId, payload.loginTs, now);
      if (at === null) continue;
      found.set(clientId, Math.min(found.get(clientId) ?? at, at));
    }
  }
  const apps: SignedInApp[] = [];
  for (const [clientId, at] of found) {
    const client = await deps.store.oidcClients.findOidcClient(clientId);
    if (client) apps.push({ clientId, name: client.name, signedInAt: at });
  }
  return apps.sort((a, b) => a.signedInAt - b.signedInAt || a.name.localeCompare(b.name));
}

/** When the app's grant in that session was made (its `iat`), or null when the grant is gone (revoked: the app is signed out). */
async function signedInAt(deps: Pick<AppsDeps, "store">, grantId: string | undefined, loginTs: number | undefined, now: number): Promise<number | null> {
  if (!grantId) return null;
  const grant = await deps.store.oidcPayloads.findOidcPayload("Grant", payloadIdHash(grantId), now);
  if (!grant) return null;
  const iat = (JSON.parse(grant.payload) as { iat?: number }).iat;
  return (typeof iat === "number" ? iat : (loginTs ?? 0)) * 1000;
}

/**
 * "Sign out" of one app on the security page: in every provider session of
 * the user, that app's sign-in ends (grant revoked, back-channel logout
 * queued) and the session forgets the app; the twostep session and the other
 * apps stay signed in. Returns the provider sessions the app was signed in
 * through (0: it was not).
 */
export async function endAppSignIn(deps: EndDeps, store: EndPorts, userId: string, clientId: string): Promise<number> {
  let ended = 0;
  for (const row of await store.oidcPayloads.listOidcPayloadsByAccount("Session", userId, deps.clock.now())) {
    const payload = JSON.parse(row.payload) as ProviderSessionPayload;
    const authorization = payload.authorizations?.[clientId];
    if (!authorization) continue;
    await endAuthorization(deps, store, userId, clientId, authorization);
    delete payload.authorizations![clientId];
    await rewrite(store, row, payload);
    ended++;
  }
  return ended;
}

function rewrite(store: EndPorts, row: StoredOidcPayload, payload: ProviderSessionPayload) {
  const { consumedAt: _consumedAt, ...kept } = row;
  return store.oidcPayloads.upsertOidcPayload({ ...kept, payload: JSON.stringify(payload) });
}
