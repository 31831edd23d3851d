/**
 * Conformance of the OpenID Connect provider's storage port (issue 15) on the
 * store TWOSTEP_TEST_DATABASE picks (SQLite by default; PostgreSQL through
 * scripts/postgres-test-cluster.sh). The race is two consumes of one code at
 * once: on PostgreSQL over two pool connections, exactly one wins.
 */
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createKyselyStore } from "../../src/store/kysely-store.js";
import type { OidcPayload, Store } from "../../src/store/store.js";
import { openTestDatabase, testDatabaseKind, type TestDatabase } from "../helpers/database.js";

const now = 1_795_000_000_000;
const hashOf = (id: string) => createHash("sha256").update(id).digest("base64url");

function row(model: string, extra: Partial<OidcPayload> = {}): OidcPayload {
  return { model, idHash: hashOf(randomUUID()), payload: JSON.stringify({ kind: model }), grantId: null, uid: null, userCode: null, accountId: null, expiresAt: now + 60_000, ...extra };
}

describe(`OIDC payload store on ${testDatabaseKind()}`, () => {
  let database: TestDatabase;
  let store: Store;
  before(async () => {
    database = await openTestDatabase();
    store = createKyselyStore(database.db);
  });
  after(() => database.close());
  const port = () => store.oidcPayloads;

  it("stores, finds and replaces a row by model and id hash; another model with the same hash is another row", async () => {
    const code = row("AuthorizationCode", { grantId: "g1", accountId: "u1" });
    await port().upsertOidcPayload(code);
    assert.deepEqual(await port().findOidcPayload("AuthorizationCode", code.idHash, now), { ...code, consumedAt: null });
    assert.equal(await port().findOidcPayload("AccessToken", code.idHash, now), null);
    await port().upsertOidcPayload({ ...code, payload: '{"changed":true}' });
    assert.equal((await port().findOidcPayload("AuthorizationCode", code.idHash, now))?.payload, '{"changed":true}');
  });

  it("finds nothing once a row has expired, and keeps a row with no expiry", async () => {
    const expiring = row("Interaction", { expiresAt: now + 1000 });
    const lasting = row("Grant", { expiresAt: null });
    await port().upsertOidcPayload(expiring);
    await port().upsertOidcPayload(lasting);
    assert.notEqual(await port().findOidcPayload("Interaction", expiring.idHash, now + 999), null);
    assert.equal(await port().findOidcPayload("Interaction", expiring.idHash, now + 1000), null);
    assert.notEqual(await port().findOidcPayload("Grant", lasting.idHash, now + 10 ** 9), null);
    assert.ok((await port().deleteExpiredOidcPayloads(now + 1000)) >= 1);
    assert.equal(await port().findOidcPayload("Interaction", expiring.idHash, now), null, "deleted for good");
    assert.notEqual(await port().findOidcPayload("Grant", lasting.idHash, now), null);
  });

  it("finds a session by uid and a device code by user code, only in their own model", async () => {
    const uid = randomUUID();
    const session = row("Session", { uid });
    const device = row("DeviceCode", { userCode: "ABCD-EFGH" });
    await port().upsertOidcPayload(session);
    await port().upsertOidcPayload(device);
    assert.equal((await port().findOidcPayloadByUid("Session", uid, now))?.idHash, session.idHash);
    assert.equal(await port().findOidcPayloadByUid("Interaction", uid, now), null);
    assert.equal((await port().findOidcPayloadByUserCode("DeviceCode", "ABCD-EFGH", now))?.idHash, device.idHash);
    assert.equal(await port().findOidcPayloadByUserCode("DeviceCode", "ZZZZ-ZZZZ", now), null);
  });

  it("consumes a code once; saving it again keeps it consumed", async () => {
    const code = row("AuthorizationCode");
    await port().upsertOidcPayload(code);
    assert.equal(await port().consumeOidcPayload("AuthorizationCode", code.idHash, now + 5), true);
    assert.equal((await port().findOidcPayload("AuthorizationCode", code.idHash, now))?.consumedAt, now + 5);
    assert.equal(await port().consumeOidcPayload("AuthorizationCode", code.idHash, now + 6), false);
    await port().upsertOidcPayload(code);
    assert.equal((await port().findOidcPayload("AuthorizationCode", code.idHash, now))?.consumedAt, now + 5);
    assert.equal(await port().consumeOidcPayload("AuthorizationCode", hashOf("no such code"), now), false);
  });

  it("refuses to consume an expired code", async () => {
    const code = row("AuthorizationCode", { expiresAt: now + 10 });
    await port().upsertOidcPayload(code);
    assert.equal(await port().consumeOidcPayload("AuthorizationCode", code.idHash, now + 10), false);
  });

  it("lets exactly one of many racing consumes of one code or refresh token win", async () => {
    for (const model of ["AuthorizationCode", "RefreshToken"]) {
      for (let round = 0; round < 5; round++) {
        const code = row(model);
        await port().upsertOidcPayload(code);
        const wins = await Promise.all(Array.from({ length: 6 }, () => port().consumeOidcPayload(model, code.idHash, now)));
        assert.equal(wins.filter(Boolean).length, 1, `${model} round ${round}: ${wins}`);
      }
    }
  });

  it("revokes every row of a grant across models and leaves other grants alone", async () => {
    const grantId = randomUUID();
    const mine = [row("AuthorizationCode", { grantId }), row("AccessToken", { grantId }), row("RefreshToken", { grantId })];
    const other = row("AccessToken", { grantId: randomUUID() });
    for (const each of [...mine, other]) await port().upsertOidcPayload(each);
    assert.equal(await port().revokeOidcPayloadsByGrantId(grantId), 3);
    for (const each of mine) assert.equal(await port().findOidcPayload(each.model, each.idHash, now), null);
    assert.notEqual(await port().findOidcPayload("AccessToken", other.idHash, now), null);
  });

  it("lists a user's live sessions and destroys one", async () => {
    const accountId = randomUUID();
    const first = row("Session", { accountId });
    const second = row("Session", { accountId });
    const gone = row("Session", { accountId, expiresAt: now - 1 });
    for (const each of [first, second, gone, row("Session", { accountId: randomUUID() })]) await port().upsertOidcPayload(each);
    const listed = await port().listOidcPayloadsByAccount("Session", accountId, now);
    assert.deepEqual(listed.map((each) => each.idHash).sort(), [first.idHash, second.idHash].sort());
    await port().destroyOidcPayload("Session", first.idHash);
    assert.equal(await port().findOidcPayload("Session", first.idHash, now), null);
    assert.equal((await port().listOidcPayloadsByAccount("Session", accountId, now)).length, 1);
  });

  it("links a provider session to the twostep session its apps signed in through; a later sign-in moves it; unlinking forgets it", async () => {
    const [uid, other, sessionA, sessionB] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    assert.deepEqual(await store.sessionLogins.findProviderSessionLinks([]), []);
    await store.sessionLogins.linkProviderSession(uid, sessionA, now);
    await store.sessionLogins.linkProviderSession(other, sessionA, now);
    assert.deepEqual(await store.sessionLogins.findProviderSessionLinks([uid, "unknown"]), [{ providerSessionUid: uid, sessionId: sessionA }]);
    await store.sessionLogins.linkProviderSession(uid, sessionB, now + 1);
    assert.deepEqual(await store.sessionLogins.findProviderSessionLinks([uid]), [{ providerSessionUid: uid, sessionId: sessionB }], "moved, one row");
    await store.sessionLogins.unlinkProviderSession(uid);
    assert.deepEqual(await store.sessionLogins.findProviderSessionLinks([uid, other]), [{ providerSessionUid: other, sessionId: sessionA }]);
  });
});
