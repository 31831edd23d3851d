/**
 * The provider's signing keys (issue 15): sealed at rest with the encryption
 * key, shared by every instance through the store, rotated in two phases (a
 * new key is published first and signs later; the old one stays published
 * until the tokens it signed have expired). The key-set plan is a pure table.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { planKeySet } from "../../src/services/apps/key-set.js";
import { loadSigningJwks, rotateSigningKey, signingKeySetVersion } from "../../src/services/apps/signing-keys.js";
import { rotateSealedValues } from "../../src/services/keys/key-rotation.js";
import { createSecretBox, decodeEncryptionKey } from "../../src/security/secret-box.js";
import { createTestRuntime, testKeyBase64, type TestRuntime } from "../helpers/runtime.js";

const minute = 60_000;
const options = { activationMs: 2 * minute, tokenLifetimeMs: 15 * minute };

describe("planKeySet", () => {
  const table: { name: string; keys: { id: string; createdAt: number }[]; now: number; signing: string | null; published: string[]; expired: string[] }[] = [
    { name: "no key", keys: [], now: 0, signing: null, published: [], expired: [] },
    { name: "the first key signs at once", keys: [{ id: "a", createdAt: 100 }], now: 100, signing: "a", published: ["a"], expired: [] },
    { name: "a new key is published before it signs", keys: [{ id: "a", createdAt: 0 }, { id: "b", createdAt: 10 * minute }], now: 11 * minute, signing: "a", published: ["a", "b"], expired: [] },
    { name: "after the activation delay the new key signs; the old one stays published", keys: [{ id: "a", createdAt: 0 }, { id: "b", createdAt: 10 * minute }], now: 12 * minute, signing: "b", published: ["b", "a"], expired: [] },
    { name: "the old key is published until its last token expires", keys: [{ id: "a", createdAt: 0 }, { id: "b", createdAt: 10 * minute }], now: 27 * minute - 1, signing: "b", published: ["b", "a"], expired: [] },
    { name: "then it expires", keys: [{ id: "a", createdAt: 0 }, { id: "b", createdAt: 10 * minute }], now: 27 * minute, signing: "b", published: ["b"], expired: ["a"] },
    {
      name: "two rotations in a row: the middle key never signed and the oldest keeps signing",
      keys: [{ id: "a", createdAt: 0 }, { id: "b", createdAt: 10 * minute }, { id: "c", createdAt: 10 * minute + 1 }],
      now: 11 * minute,
      signing: "a",
      published: ["a", "c", "b"],
      expired: [],
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const plan = planKeySet(row.keys, row.now, options);
      if (row.signing === null) return assert.equal(plan, null);
      assert.deepEqual(plan, { signingKeyId: row.signing, publishedKeyIds: row.published, expiredKeyIds: row.expired });
    });
  }
});

describe("signing keys in the store", () => {
  let runtime: TestRuntime;
  before(async () => {
    runtime = await createTestRuntime({ env: { TWOSTEP_OIDC_KEY_REFRESH_SECONDS: "60", TWOSTEP_OIDC_ID_TOKEN_TTL_SECONDS: "900" } });
  });
  after(() => runtime.close());

  it("makes the first key on first use, sealed: the row holds no private key material", async () => {
    const [jwk, ...rest] = await loadSigningJwks(runtime.deps);
    assert.equal(rest.length, 0);
    assert.equal(jwk?.kty, "RSA");
    assert.equal(jwk?.alg, "RS256");
    assert.ok(jwk?.d, "a private key");
    const [row] = await runtime.deps.store.signingKeys.listSigningKeys();
    assert.equal(row?.id, jwk?.kid);
    assert.ok(!row!.privateJwkCiphertext.includes(jwk!.d!) && row!.privateJwkCiphertext.startsWith("v1.test."));
    const otherKey = createSecretBox(decodeEncryptionKey("test", Buffer.alloc(32, 9).toString("base64")));
    assert.throws(() => otherKey.open(row!.privateJwkCiphertext, `signing-key:${row!.id}`), "another encryption key cannot open it");
    assert.equal((await loadSigningJwks(runtime.deps))[0]?.kid, jwk?.kid, "a second instance loads the same key");
  });

  it("rotates: the new key is published at once, signs after the activation delay, and the old one is deleted once no token needs it", async () => {
    const first = (await loadSigningJwks(runtime.deps))[0]!.kid;
    const versionBefore = await signingKeySetVersion(runtime.deps);
    runtime.clock.advance(60);
    const rotation = await rotateSigningKey(runtime.deps);
    assert.notEqual(await signingKeySetVersion(runtime.deps), versionBefore, "instances see a new key set");
    assert.deepEqual((await loadSigningJwks(runtime.deps)).map((key) => key.kid), [first, rotation.newKeyId], "published, not signing yet");
    runtime.clock.advance(120);
    assert.deepEqual((await loadSigningJwks(runtime.deps)).map((key) => key.kid), [rotation.newKeyId, first], "signing; the old key still published");
    runtime.clock.advance(900);
    assert.deepEqual((await loadSigningJwks(runtime.deps)).map((key) => key.kid), [rotation.newKeyId], "the old key's tokens have expired");
    const again = await rotateSigningKey(runtime.deps);
    assert.deepEqual(again.deletedKeyIds, [first]);
    assert.equal((await runtime.deps.store.signingKeys.listSigningKeys()).some((key) => key.id === first), false);
  });

  it("is re-sealed by keys:rotate like every sealed column", async () => {
    const before = (await loadSigningJwks(runtime.deps)).map((key) => key.kid);
    const newBox = createSecretBox(decodeEncryptionKey("k2", Buffer.alloc(32, 3).toString("base64")), [decodeEncryptionKey("test", testKeyBase64)]);
    const deps = { ...runtime.deps, secretBox: newBox };
    const result = await rotateSealedValues(deps, { batchSize: 10 });
    assert.ok(result.rotated >= 2 && result.failed.length === 0);
    for (const key of await runtime.deps.store.signingKeys.listSigningKeys()) assert.ok(key.privateJwkCiphertext.startsWith("v1.k2."));
    assert.deepEqual((await loadSigningJwks(deps)).map((key) => key.kid), before);
  });
});
