/**
 * The provider's Adapter on the store TWOSTEP_TEST_DATABASE picks: rows keyed
 * by hash (no live token in the table), `jti` put back on find, `consumed`
 * reported, and a code consumed twice (sequentially or by two racing
 * exchanges) ends its whole grant with `invalid_grant`.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { errors } from "oidc-provider";
import { createProviderAdapter } from "../../src/services/apps/provider-adapter.js";
import { payloadIdHash } from "../../src/services/apps/provider-names.js";
import { createKyselyStore } from "../../src/store/kysely-store.js";
import type { Store } from "../../src/store/store.js";
import { openTestDatabase, testDatabaseKind, type TestDatabase } from "../helpers/database.js";

describe(`provider adapter on ${testDatabaseKind()}`, () => {
  let database: TestDatabase;
  let store: Store;
  let clockNow = 1_795_000_000_000;
  const adapterFor = (model: string) =>
    createProviderAdapter({ store, clock: { now: () => clockNow }, findClient: async (id) => (id === "known" ? { client_id: "known", redirect_uris: ["https://app.test/cb"] } : undefined) })(model);
  before(async () => {
    database = await openTestDatabase();
    store = createKyselyStore(database.db);
  });
  after(() => database.close());

  it("stores a token under the hash of its id, never the id, and gives it back with its jti", async () => {
    const tokens = adapterFor("AccessToken");
    const id = `token-${randomUUID()}`;
    await tokens.upsert(id, { jti: id, accountId: "user-1", grantId: "grant-1", kind: "AccessToken" }, 60);
    const row = await store.oidcPayloads.findOidcPayload("AccessToken", payloadIdHash(id), clockNow);
    assert.ok(row && !row.payload.includes(id) && row.idHash !== id, "the row holds no token value");
    assert.equal(row.accountId, "user-1");
    assert.equal(row.grantId, "grant-1");
    assert.deepEqual(await tokens.find(id), { jti: id, accountId: "user-1", grantId: "grant-1", kind: "AccessToken" });
    clockNow += 60_000;
    assert.equal(await tokens.find(id), undefined, "expired after expiresIn seconds");
  });

  it("answers Client lookups from the registered apps and refuses to write one", async () => {
    const clients = adapterFor("Client");
    assert.equal((await clients.find("known"))?.client_id, "known");
    assert.equal(await clients.find("unknown"), undefined);
    await assert.rejects(clients.upsert("x", { client_id: "x" }, 0), /clients:create/);
  });

  it("finds a session by uid", async () => {
    const sessions = adapterFor("Session");
    const uid = randomUUID();
    await sessions.upsert(`sess-${uid}`, { jti: `sess-${uid}`, uid, accountId: "user-2", kind: "Session" }, 600);
    assert.equal((await sessions.findByUid(uid))?.accountId, "user-2");
    assert.equal(await sessions.findByUid(randomUUID()), undefined);
  });

  it("consumes a code once; the second consume revokes the grant's tokens and the grant, and fails with invalid_grant", async () => {
    const grantId = `grant-${randomUUID()}`;
    const code = `code-${randomUUID()}`;
    const access = `at-${randomUUID()}`;
    await adapterFor("Grant").upsert(grantId, { jti: grantId, accountId: "u", kind: "Grant" }, 600);
    await adapterFor("AuthorizationCode").upsert(code, { jti: code, grantId, kind: "AuthorizationCode" }, 60);
    await adapterFor("AccessToken").upsert(access, { jti: access, grantId, kind: "AccessToken" }, 600);
    await adapterFor("AuthorizationCode").consume(code);
    assert.equal(typeof (await adapterFor("AuthorizationCode").find(code))?.consumed, "number");
    await assert.rejects(adapterFor("AuthorizationCode").consume(code), (error: unknown) => error instanceof errors.InvalidGrant);
    assert.equal(await adapterFor("AccessToken").find(access), undefined, "the token issued from the code is revoked");
    assert.equal(await adapterFor("Grant").find(grantId), undefined, "the grant is ended");
  });

  it("lets one of two racing consumes of a refresh token win; the loser fails and ends the grant", async () => {
    for (let round = 0; round < 5; round++) {
      const grantId = `grant-${randomUUID()}`;
      const refresh = `rt-${randomUUID()}`;
      await adapterFor("Grant").upsert(grantId, { jti: grantId, kind: "Grant" }, 600);
      await adapterFor("RefreshToken").upsert(refresh, { jti: refresh, grantId, kind: "RefreshToken" }, 600);
      const outcomes = await Promise.allSettled([adapterFor("RefreshToken").consume(refresh), adapterFor("RefreshToken").consume(refresh)]);
      assert.deepEqual(outcomes.map((outcome) => outcome.status).sort(), ["fulfilled", "rejected"]);
      const lost = outcomes.find((outcome) => outcome.status === "rejected") as PromiseRejectedResult;
      assert.ok(lost.reason instanceof errors.InvalidGrant);
      assert.equal(await adapterFor("Grant").find(grantId), undefined);
    }
  });
});
