import { errors, type Adapter, type AdapterPayload } from "oidc-provider";
import type { OidcPayloadStore } from "../../store/store.js";
import type { Clock } from "../deps.js";

import { payloadIdHash } from "./provider-names.js";

export interface ProviderAdapterDeps {
  store: { oidcPayloads: OidcPayloadStore };
  clock: Clock;
  /** The `Client` model is twostep's registered apps (`oidc_clients`), never written by the provider. */
  findClient(clientId: string): Promise<AdapterPayload | undefined>;
}

/**
 * The `oidc-provider` Adapter on twostep's store: one class per model name,
 * every call one statement. `consume` is the conditional write that makes a
 * code (or a refresh token) single use across instances: the library reads
 * `consumed` and calls `consume()` later without looking at its outcome, so
 * two parallel exchanges of one code would both get tokens (OIDC-NOTES §7).
 * Here the loser revokes everything the grant issued, the Grant included (RFC
 * 6749 §4.1.2: a code used twice revokes its tokens), and fails with
 * `invalid_grant`.
 */
export function createProviderAdapter(deps: ProviderAdapterDeps): (model: string) => Adapter {
  const port = () => deps.store.oidcPayloads;
  return (model: string): Adapter => {
    const revealed = (id: string, row: { payload: string; consumedAt: number | null } | null): AdapterPayload | undefined => {
      if (!row) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      return { ...payload, jti: id, ...(row.consumedAt !== null ? { consumed: Math.floor(row.consumedAt / 1000) } : {}) };
    };
    return {
      async upsert(id, payload, expiresIn) {
        if (model === "Client") throw new Error("apps are registered with twostep clients:create, never by the provider");
        // The id is the row's key (hashed) and is put back on find: the stored JSON never holds a live token.
        const { jti: _jti, ...rest } = payload as AdapterPayload & { jti?: string };
        await port().upsertOidcPayload({
          model,
          idHash: payloadIdHash(id),
          payload: JSON.stringify(rest),
          grantId: typeof payload.grantId === "string" ? payload.grantId : null,
          uid: typeof payload.uid === "string" ? payload.uid : null,
          userCode: typeof payload.userCode === "string" ? payload.userCode : null,
          accountId: typeof payload.accountId === "string" ? payload.accountId : null,
          expiresAt: expiresIn ? deps.clock.now() + expiresIn * 1000 : null,
        });
      },
      async find(id) {
        if (model === "Client") return deps.findClient(id);
        const row = await port().findOidcPayload(model, payloadIdHash(id), deps.clock.now());
        return revealed(id, row);
      },
      async findByUid(uid) {
        const row = await port().findOidcPayloadByUid(model, uid, deps.clock.now());
        if (!row) return undefined;
        const payload = JSON.parse(row.payload) as AdapterPayload & { jti?: string };
        // A session's id is not in its row (only its hash): the library looks sessions up by uid to end them, never to read the cookie value back.
        return { ...payload, ...(row.consumedAt !== null ? { consumed: Math.floor(row.consumedAt / 1000) } : {}) };
      },
      async findByUserCode(userCode) {
        const row = await port().findOidcPayloadByUserCode(model, userCode, deps.clock.now());
        return row ? (JSON.parse(row.payload) as AdapterPayload) : undefined;
      },
      async consume(id) {
        const idHash = payloadIdHash(id);
        const now = deps.clock.now();
        if (await port().consumeOidcPayload(model, idHash, now)) return;
        // Lost the race (or replayed): end the whole grant, then refuse.
        const row = await port().findOidcPayload(model, idHash, now);
        if (row?.grantId) {
          await port().revokeOidcPayloadsByGrantId(row.grantId);
          await port().destroyOidcPayload("Grant", payloadIdHash(row.grantId));
        }
        throw new errors.InvalidGrant(`${model === "RefreshToken" ? "refresh token" : "grant"} already used`);
      },
      async destroy(id) {
        await port().destroyOidcPayload(model, payloadIdHash(id));
      },
      async revokeByGrantId(grantId) {
        await port().revokeOidcPayloadsByGrantId(grantId);
      },
    };
  };
}
