import type { AppsDeps } from "./deps.js";
import { timingSafeEqual } from "node:crypto";
import { createToken, hashToken } from "../../security/tokens.js";
import type { OidcClient } from "../../store/store.js";
export type { OidcClient };
import { checkClientInput, type ClientInput } from "./client-input.js";

export type ClientResult<T> = ({ ok: true } & T) | { ok: false; problem: string };

/** A new client secret: 256 random bits, shown once; only its SHA-256 is stored (SECURITY 15). */
function newSecret(): { secret: string; secretHash: string } {
  const secret = createToken();
  return { secret, secretHash: hashToken(secret) };
}

/** Constant-time comparison of a presented secret with the stored hash (both hashes have the same length). */
export function clientSecretMatches(client: Pick<OidcClient, "secretHash">, presented: string): boolean {
  if (!client.secretHash) return false;
  const expected = Buffer.from(client.secretHash);
  const actual = Buffer.from(hashToken(presented));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Registers an app. The secret (none for a public client) is in the answer and nowhere else. */
export async function createClient(deps: AppsDeps, input: ClientInput): Promise<ClientResult<{ client: OidcClient; secret: string | null }>> {
  const checked = checkClientInput(input);
  if (!checked.ok) return checked;
  const value = checked.value;
  const minted = value.isPublic ? null : newSecret();
  const client: OidcClient = {
    id: deps.newId(),
    name: value.name,
    secretHash: minted?.secretHash ?? null,
    redirectUris: value.redirectUris,
    postLogoutRedirectUris: value.postLogoutRedirectUris,
    backchannelLogoutUri: value.backchannelLogoutUri,
    forwardAuthOrigins: value.forwardAuthOrigins,
    requireTwoFactor: value.requireTwoFactor,
    rememberBrowser: value.rememberBrowser,
    createdAt: deps.clock.now(),
    secretRotatedAt: null,
  };
  if (!(await deps.store.oidcClients.insertOidcClient(client))) return { ok: false, problem: `an app named "${value.name}" already exists` };
  forgetCachedClients(deps);
  return { ok: true, client, secret: minted?.secret ?? null };
}

export function listClients(deps: AppsDeps): Promise<OidcClient[]> {
  return deps.store.oidcClients.listOidcClients();
}

/**
 * How long an instance keeps the list of apps it read (forward auth asks for it on every request
 * of a legacy panel, README "Forward auth"): a change made elsewhere (`clients:*` runs in its own
 * process; other instances) reaches this instance within this time. A change made through this
 * instance's own deps forgets the list at once.
 */
export const appListLifetimeMs = 5_000;

/** Per store (one per instance; a test runtime has its own), the list and when it was read. */
const appLists = new WeakMap<object, { readAt: number; clients: Promise<OidcClient[]> }>();

/** Every app, as read at most `appListLifetimeMs` ago by this instance. */
export function cachedClients(deps: AppsDeps): Promise<OidcClient[]> {
  const now = deps.clock.now();
  const held = appLists.get(deps.store);
  if (held && now - held.readAt < appListLifetimeMs && now >= held.readAt) return held.clients;
  const clients = deps.store.oidcClients.listOidcClients();
  appLists.set(deps.store, { readAt: now, clients });
  // A failed read is not kept: the next request reads again.
  clients.catch(() => {
    if (appLists.get(deps.store)?.clients === clients) appLists.delete(deps.store);
  });
  return clients;
}

function forgetCachedClients(deps: AppsDeps) {
  appLists.delete(deps.store);
}

/** An app by id, or by name when no id matches. */
export async function findClient(deps: AppsDeps, idOrName: string): Promise<OidcClient | null> {
  return (await deps.store.oidcClients.findOidcClient(idOrName)) ?? (await deps.store.oidcClients.findOidcClientByName(idOrName));
}

/** A new secret for a confidential app; the old one stops working at once. */
export async function rotateClientSecret(deps: AppsDeps, idOrName: string): Promise<ClientResult<{ client: OidcClient; secret: string }>> {
  const client = await findClient(deps, idOrName);
  if (!client) return { ok: false, problem: `no app has the id or name "${idOrName}"` };
  if (!client.secretHash) return { ok: false, problem: `"${client.name}" is a public app: it has no secret to rotate` };
  const minted = newSecret();
  if (!(await deps.store.oidcClients.replaceOidcClientSecret(client.id, minted.secretHash, deps.clock.now()))) return { ok: false, problem: `"${client.name}" was deleted meanwhile` };
  forgetCachedClients(deps);
  return { ok: true, client, secret: minted.secret };
}

/** Removes an app: the provider no longer knows it, so its codes and tokens are refused from then on. */
export async function deleteClient(deps: AppsDeps, idOrName: string): Promise<ClientResult<{ client: OidcClient }>> {
  const client = await findClient(deps, idOrName);
  if (!client) return { ok: false, problem: `no app has the id or name "${idOrName}"` };
  if (!(await deps.store.oidcClients.deleteOidcClient(client.id))) return { ok: false, problem: `"${client.name}" was deleted meanwhile` };
  forgetCachedClients(deps);
  return { ok: true, client };
}
