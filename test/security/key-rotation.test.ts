/**
 * SECURITY 13, key rotation: `rotateSealedValues` re-seals every TOTP key and
 * SMS number under the current key, and afterwards the old key can go — the
 * methods still verify with only the new one configured. A value a running
 * server changes between the rotation's read and its write is left as the
 * server wrote it (never overwritten with the stale secret), and a value that
 * does not open is reported by row id without its content.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createSecretBox, decodeEncryptionKey, type SecretBox } from "../../src/security/secret-box.js";
import type { ServiceDeps } from "../../src/services/deps.js";
import { keyStatus, rotateSealedValues, type BatchProgress } from "../../src/services/keys/key-rotation.js";
import { startLogin } from "../../src/services/login/start-login.js";
import { verifySecondStepCode } from "../../src/services/login/second-step.js";
import type { SealedValue } from "../../src/store/store.js";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { createTestRuntime, type TestRuntime } from "../helpers/runtime.js";
import { enrolTotpAndSms, gbMobile, oneCodeDuring, type TotpAndSmsUser } from "../helpers/sms.js";
import { codeFor } from "../helpers/totp.js";

const k1 = decodeEncryptionKey("k1", randomBytes(32).toString("base64"));
const k2 = decodeEncryptionKey("k2", randomBytes(32).toString("base64"));
const column = "methods.secret_ciphertext" as const;
const context = { clientAddress: null, userAgent: "key-rotation-test" };

/** Every stored method row: id → ciphertext, read through the store. */
async function ciphertexts(deps: ServiceDeps): Promise<Map<string, string>> {
  const all = await deps.store.sealedValues.listSealedValues(column, { notUnderKeyIds: [], afterId: null, limit: 100_000 });
  return new Map(all.map((value) => [value.id, value.ciphertext]));
}

describe("security: rotating the encryption key", () => {
  let t: TestRuntime;
  let totpUsers: EnrolledUser[];
  let bothUsers: TotpAndSmsUser[];
  /** What each method's ciphertext opens to under k1, before the rotation. */
  const plaintexts = new Map<string, string>();
  const useBox = (box: SecretBox) => void (t.deps.secretBox = box);

  before(async () => {
    t = await createTestRuntime();
    useBox(createSecretBox(k1));
    totpUsers = [await enrolTotp(t.deps), await enrolTotp(t.deps)];
    t.clock.advance(30);
    bothUsers = [];
    for (let n = 0; n < 3; n++) bothUsers.push(await enrolTotpAndSms(t.deps, t.clock, { phone: gbMobile(n) }));
    for (const [id, ciphertext] of await ciphertexts(t.deps)) plaintexts.set(id, t.deps.secretBox.open(ciphertext, id).toString("base64"));
    assert.equal(plaintexts.size, 8, "2 TOTP-only users, 3 users with TOTP and SMS");
  });
  after(() => t.close());

  it("counts the values under each key before the rotation: the old key is still needed", async () => {
    useBox(createSecretBox(k2, [k1]));
    assert.deepEqual(await keyStatus(t.deps), {
      keys: [
        { keyId: "k2", role: "current", values: 0, removable: false },
        { keyId: "k1", role: "previous", values: 8, removable: false },
      ],
      unconfigured: [],
    });
  });

  it("re-seals every value under the current key, a batch at a time, each opening to the same secret", async () => {
    useBox(createSecretBox(k2, [k1]));
    const before = await ciphertexts(t.deps);
    const batches: BatchProgress[] = [];
    const result = await rotateSealedValues(t.deps, { batchSize: 3, onBatch: (progress) => void batches.push(progress) });
    assert.deepEqual(result, { rotated: 8, skipped: 0, failed: [] });
    assert.deepEqual(batches.map((batch) => batch.rotated), [3, 3, 2]);
    const onlyK2 = createSecretBox(k2);
    for (const [id, ciphertext] of await ciphertexts(t.deps)) {
      assert.match(ciphertext, /^v1\.k2\./);
      assert.notEqual(ciphertext, before.get(id));
      assert.equal(onlyK2.open(ciphertext, id).toString("base64"), plaintexts.get(id), "same secret, same row");
      assert.throws(() => onlyK2.open(ciphertext, "another method id"), "still bound to its own row");
    }
    const status = await keyStatus(t.deps);
    assert.deepEqual(status.keys[1], { keyId: "k1", role: "previous", values: 0, removable: true });
    assert.equal(status.keys[0]!.values, 8);
    assert.deepEqual(await rotateSealedValues(t.deps, { batchSize: 3 }), { rotated: 0, skipped: 0, failed: [] }, "a second run has nothing to do");
  });

  it("logs in with TOTP and with SMS once the old key is removed from the configuration", async () => {
    useBox(createSecretBox(k2));
    for (const enrolled of [...totpUsers, ...bothUsers.map((user) => ({ ...user, methodId: user.totpMethodId }))]) {
      t.clock.advance(30);
      const login = await startLogin(t.deps, { email: enrolled.user.email, password: enrolled.password }, context);
      assert.ok(login.ok && login.kind === "second_factor");
      const done = await verifySecondStepCode(t.deps, login.flowToken, { code: codeFor(enrolled.keyBase32, t.clock.now()), methodId: enrolled.methodId }, context);
      assert.ok(done.ok, `TOTP login of ${enrolled.user.email}`);
    }
    for (const enrolled of bothUsers) {
      t.clock.advance(30);
      // SMS is these users' default: opening the login decrypts the number to text it.
      const { result: login, code } = await oneCodeDuring(t.deps, () => startLogin(t.deps, { email: enrolled.user.email, password: enrolled.password }, context), enrolled.phone);
      assert.ok(login.ok && login.kind === "second_factor");
      const done = await verifySecondStepCode(t.deps, login.flowToken, { code }, context);
      assert.ok(done.ok, `SMS login of ${enrolled.user.email}`);
    }
  });

  it("leaves a value changed or deleted between the read and the write as the server left it", async () => {
    // A server still on k1 as its current key keeps writing k1 values; the rotation runs meanwhile.
    useBox(createSecretBox(k1, [k2]));
    const [a, b, c] = [await enrolTotp(t.deps), await enrolTotp(t.deps), await enrolTotp(t.deps)];
    const server = createSecretBox(k1);
    const resealed = server.seal(Buffer.from("a new secret after a reset"), b.methodId);
    let raced = false;
    const rotating: ServiceDeps = {
      ...t.deps,
      secretBox: createSecretBox(k2, [k1]),
      store: {
        ...t.deps.store,
        sealedValues: {
          ...t.deps.store.sealedValues,
          // Between the rotation's read and its write: a delete of a's method and a re-seal of b's.
          async listSealedValues(...args) {
            const page: SealedValue[] = await t.deps.store.sealedValues.listSealedValues(...args);
            if (!raced && page.length > 0) {
              raced = true;
              const ids = page.map((value) => value.id);
              assert.ok([a, b, c].every((user) => ids.includes(user.methodId)));
              await t.deps.store.methods.deleteMethod(a.methodId);
              const old = page.find((value) => value.id === b.methodId)!.ciphertext;
              assert.equal(await t.deps.store.sealedValues.replaceSealedValue(column, b.methodId, old, resealed), true);
            }
            return page;
          },
        },
      },
    };
    const result = await rotateSealedValues(rotating, { batchSize: 100 });
    assert.deepEqual(result, { rotated: 1, skipped: 2, failed: [] });
    assert.equal(await t.deps.store.methods.findMethod(a.methodId), undefined, "the deleted method is not brought back");
    assert.equal((await t.deps.store.methods.findMethod(b.methodId))?.secretCiphertext, resealed, "the server's write is not overwritten");
    assert.match((await t.deps.store.methods.findMethod(c.methodId))!.secretCiphertext, /^v1\.k2\./);
    // Run again: the server's k1 value is rotated too, with the server's secret.
    assert.deepEqual(await rotateSealedValues(rotating, { batchSize: 100 }), { rotated: 1, skipped: 0, failed: [] });
    const now = (await t.deps.store.methods.findMethod(b.methodId))!.secretCiphertext;
    assert.equal(createSecretBox(k2).open(now, b.methodId).toString(), "a new secret after a reset");
  });

  it("reports a value that does not open by row id and reason, never its content, and leaves it as it was", async () => {
    useBox(createSecretBox(k2, [k1]));
    const [stray, altered, fine] = [await enrolTotp(t.deps), await enrolTotp(t.deps), await enrolTotp(t.deps)];
    // One value under a key nobody configured, one altered in the database; both were k2 values first.
    const k0 = createSecretBox(decodeEncryptionKey("k0", randomBytes(32).toString("base64")));
    const strayCiphertext = k0.seal(Buffer.from("stray secret"), stray.methodId);
    const alteredCiphertext = createSecretBox(k1).seal(Buffer.from("altered secret"), "some other row");
    for (const [user, next] of [[stray, strayCiphertext], [altered, alteredCiphertext]] as const) {
      const old = (await t.deps.store.methods.findMethod(user.methodId))!.secretCiphertext;
      assert.ok(await t.deps.store.sealedValues.replaceSealedValue(column, user.methodId, old, next));
    }
    const fineOld = (await t.deps.store.methods.findMethod(fine.methodId))!.secretCiphertext;
    assert.ok(await t.deps.store.sealedValues.replaceSealedValue(column, fine.methodId, fineOld, createSecretBox(k1).seal(Buffer.from("fine"), fine.methodId)));
    const result = await rotateSealedValues(t.deps, { batchSize: 2 });
    assert.equal(result.rotated, 1);
    assert.deepEqual(
      result.failed.map((failure) => [failure.id, failure.reason]).sort(),
      [
        [stray.methodId, 'sealed under key "k0", which is not configured'],
        [altered.methodId, 'does not open with key "k1" (a different key under the same id, or altered)'],
      ].sort(),
    );
    const report = JSON.stringify(result);
    for (const secret of [strayCiphertext, alteredCiphertext, ...[strayCiphertext, alteredCiphertext].map((value) => value.split(".")[4]!), "stray secret", "altered secret"]) {
      assert.ok(!report.includes(secret), "the report holds no ciphertext and no plaintext");
    }
    assert.equal((await t.deps.store.methods.findMethod(stray.methodId))?.secretCiphertext, strayCiphertext);
    assert.equal((await t.deps.store.methods.findMethod(altered.methodId))?.secretCiphertext, alteredCiphertext);
    const status = await keyStatus(t.deps);
    assert.deepEqual(status.unconfigured, [{ keyId: "k0", values: 1 }]);
    assert.deepEqual(status.keys[1], { keyId: "k1", role: "previous", values: 1, removable: false }, "the altered value still names k1");
  });
});
