/**
 * Threat: a stolen database (backup, replica, SQL injection elsewhere) yields
 * working second factors or sessions: TOTP keys stored in the clear or
 * decryptable without the operator's key, recovery codes or session tokens
 * stored as-is, or a ciphertext that can be moved to an attacker's own method
 * row and decrypted there. twostep stores TOTP keys with AES-256-GCM under a
 * key held outside the database, bound to the method id as additional data,
 * and keeps only hashes of recovery codes, passwords and tokens.
 * Covers SECURITY 13, 14, 15 and the SPEC's "Properties every part keeps".
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { base32nopad } from "@scure/base";
import SQLite from "better-sqlite3";
import { createRuntime } from "../../src/bootstrap.js";
import { parseConfig } from "../../src/config.js";
import { buildApp } from "../../src/http/app.js";
import { startLogin } from "../../src/services/login/start-login.js";
import { verifySecondStepCode } from "../../src/services/login/second-step.js";
import { createSecretBox, decodeEncryptionKey } from "../../src/security/secret-box.js";
import { FormClient } from "../helpers/browser-client.js";
import { apiPost, apiStartLogin, enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { createTestApp, testKeyBase64, TestClock, type TestApp } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

/** Every spelling of the key bytes someone might have stored. */
function keySpellings(keyBase32: string): string[] {
  const raw = Buffer.from(base32nopad.decode(keyBase32));
  return [keyBase32, keyBase32.toLowerCase(), raw.toString("hex"), raw.toString("base64"), raw.toString("base64url"), raw.toString("latin1")];
}

describe("security: secrets at rest", () => {
  let directory: string;
  let databasePath: string;
  let t: TestApp;
  let sqlite: SQLite.Database;
  let alice: EnrolledUser;
  let bob: EnrolledUser;
  let aliceSession: string;
  let aliceFlowId: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "twostep-at-rest-"));
    databasePath = join(directory, "twostep.sqlite");
    t = await createTestApp({ databasePath });
    alice = await enrolTotp(t.deps);
    bob = await enrolTotp(t.deps);
    t.clock.advance(30);
    aliceFlowId = await apiStartLogin(t.app, { email: alice.user.email, password: alice.password });
    aliceSession = (await apiPost(t.app, "/api/login/second-factor", { flowId: aliceFlowId, code: codeFor(alice.keyBase32, t.clock.now()) })).json().sessionToken;
    sqlite = new SQLite(databasePath, { readonly: true });
  });
  after(async () => {
    sqlite.close();
    await t.close();
    await rm(directory, { recursive: true, force: true });
  });

  /** Every text and blob value in every table. */
  function everyStoredValue(): string[] {
    const tables = sqlite.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
    return tables.flatMap(({ name }) =>
      (sqlite.prepare(`select * from "${name}"`).all() as Record<string, unknown>[]).flatMap((row) =>
        Object.values(row).map((value) => (Buffer.isBuffer(value) ? value.toString("latin1") : String(value))),
      ),
    );
  }

  /** The database file and its write-ahead log, as bytes. */
  async function databaseBytes(): Promise<Buffer> {
    const files = [databasePath, `${databasePath}-wal`].filter((path) => existsSync(path));
    return Buffer.concat(await Promise.all(files.map((path) => readFile(path))));
  }

  it("stores the TOTP key only as an authenticated ciphertext, in no readable spelling", async () => {
    const row = sqlite.prepare("select id, secret_ciphertext from methods where id = ?").get(alice.methodId) as { id: string; secret_ciphertext: string };
    assert.match(row.secret_ciphertext, /^v1\.test\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/, "versioned AES-GCM envelope: key id, IV, tag, body");
    const values = everyStoredValue();
    const bytes = await databaseBytes();
    const raw = Buffer.from(base32nopad.decode(alice.keyBase32));
    for (const spelling of keySpellings(alice.keyBase32)) {
      assert.equal(values.some((value) => value.includes(spelling)), false, `a row holds the key as ${spelling.slice(0, 8)}…`);
    }
    assert.equal(bytes.includes(raw), false, "the raw key bytes are nowhere in the database files");
    assert.equal(bytes.includes(Buffer.from(alice.keyBase32)), false, "the base32 key is nowhere in the database files");
  });

  it("stores recovery codes only as salted slow hashes", async () => {
    const rows = sqlite.prepare("select code_hash from recovery_codes where user_id = ?").all(alice.user.id) as { code_hash: string }[];
    assert.equal(rows.length, 10);
    assert.equal(new Set(rows.map((row) => row.code_hash)).size, 10);
    const salts = sqlite.prepare("select salt from recovery_code_sets where user_id in (?, ?)").all(alice.user.id, bob.user.id) as { salt: string }[];
    assert.equal(new Set(salts.map((row) => row.salt)).size, 2, "each user's set has its own salt");

    const values = everyStoredValue();
    const bytes = await databaseBytes();
    for (const code of alice.recoveryCodes) {
      const bare = code.replace(/-/g, "");
      for (const spelling of [code, bare, bare.toLowerCase()]) {
        assert.equal(values.some((value) => value.includes(spelling)), false, "a recovery code is stored in the clear");
      }
      assert.equal(bytes.includes(Buffer.from(bare)), false);
      // Not a fast unsalted hash either.
      for (const algorithm of ["sha256", "sha1", "sha512"]) {
        for (const encoding of ["hex", "base64"] as const) {
          const fast = createHash(algorithm).update(bare).digest(encoding);
          assert.equal(values.some((value) => value.includes(fast)), false, `recovery code stored as ${algorithm}`);
        }
      }
    }
  });

  it("stores passwords with argon2id and session and login tokens only as hashes", async () => {
    const user = sqlite.prepare("select password_hash from users where id = ?").get(alice.user.id) as { password_hash: string };
    assert.match(user.password_hash, /^\$argon2id\$/);

    const sessions = sqlite.prepare("select token_hash from sessions where user_id = ?").all(alice.user.id) as { token_hash: string }[];
    const sha256 = (token: string) => createHash("sha256").update(token).digest("base64url");
    assert.ok(sessions.some((row) => row.token_hash === sha256(aliceSession)), "the session row holds the token's hash");
    const flows = sqlite.prepare("select token_hash from login_flows where user_id = ?").all(alice.user.id) as { token_hash: string }[];
    assert.ok(flows.some((row) => row.token_hash === sha256(aliceFlowId)));

    const values = everyStoredValue();
    const bytes = await databaseBytes();
    for (const secret of [aliceSession, aliceFlowId, alice.password]) {
      assert.equal(values.some((value) => value.includes(secret)), false);
      assert.equal(bytes.includes(Buffer.from(secret)), false);
    }
  });

  it("does not decrypt a ciphertext copied into another method's row (bound to the method id)", async () => {
    const aliceRow = sqlite.prepare("select secret_ciphertext from methods where id = ?").get(alice.methodId) as { secret_ciphertext: string };
    assert.throws(() => t.deps.secretBox.open(aliceRow.secret_ciphertext, bob.methodId));
    assert.equal(base32nopad.encode(t.deps.secretBox.open(aliceRow.secret_ciphertext, alice.methodId)), alice.keyBase32, "positive control");

    // Through the app: an attacker with write access copies Alice's ciphertext into Bob's row,
    // hoping Bob's login will then accept Alice's codes (or the server will show Alice's key as Bob's).
    const writer = new SQLite(databasePath);
    const bobRow = writer.prepare("select secret_ciphertext from methods where id = ?").get(bob.methodId) as { secret_ciphertext: string };
    writer.prepare("update methods set secret_ciphertext = ? where id = ?").run(aliceRow.secret_ciphertext, bob.methodId);
    try {
      t.clock.advance(30);
      const flowId = await apiStartLogin(t.app, { email: bob.user.email, password: bob.password });
      const response = await apiPost(t.app, "/api/login/second-factor", { flowId, code: codeFor(alice.keyBase32, t.clock.now()) });
      assert.notEqual(response.statusCode, 200);
      assert.equal(response.body.includes("sessionToken"), false);
      const browser = new FormClient(t.app);
      await browser.post("/login", { email: bob.user.email, password: bob.password }, { csrfFrom: "/login" });
      const page = await browser.post("/login/two-factor", { code: codeFor(alice.keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
      assert.notEqual(page.statusCode, 303);
      assert.equal(browser.cookies.has("twostep_session"), false);
    } finally {
      writer.prepare("update methods set secret_ciphertext = ? where id = ?").run(bobRow.secret_ciphertext, bob.methodId);
      writer.close();
    }
  });

  it("cannot yield the key without the operator's encryption key", async () => {
    const row = sqlite.prepare("select secret_ciphertext from methods where id = ?").get(alice.methodId) as { secret_ciphertext: string };
    const otherKey = randomBytes(32).toString("base64");
    // The same key id with another key, and the right key id missing altogether.
    assert.throws(() => createSecretBox(decodeEncryptionKey("test", otherKey)).open(row.secret_ciphertext, alice.methodId));
    assert.throws(() => createSecretBox(decodeEncryptionKey("k2", otherKey)).open(row.secret_ciphertext, alice.methodId), /no encryption key with id "test"/);

    // A whole server started on this database with another key cannot verify (or leak) anyone's codes…
    const clock = new TestClock(t.clock.now() + 30_000);
    const env = {
      TWOSTEP_ENV: "test",
      TWOSTEP_DATABASE_URL: `sqlite:${databasePath}`,
      TWOSTEP_ENCRYPTION_KEY_ID: "test",
      TWOSTEP_ENCRYPTION_KEY: otherKey,
      TWOSTEP_ARGON2_MEMORY_KIB: "1024",
      TWOSTEP_ARGON2_ITERATIONS: "1",
    };
    const wrongKey = await createRuntime(parseConfig(env), { clock, logger: t.logger });
    // The app does not even start: the provider's signing keys are sealed with the real key (issue 15), and it says which.
    await assert.rejects(
      buildApp({ deps: wrongKey.deps, cookieSecret: "another-cookie-secret-another-cookie", logger: false }),
      /signing key .* cannot be opened with this TWOSTEP_ENCRYPTION_KEY \(id test\)/,
    );
    // Nor do the services below it verify a code with the wrong key (the login and its second step, without the app).
    try {
      const started = await startLogin(wrongKey.deps, { email: alice.user.email, password: alice.password }, { clientAddress: "203.0.113.9", userAgent: null });
      assert.ok(started.ok && started.kind === "second_factor", "the password is not sealed: the login reaches the second step");
      // The sealed TOTP key does not open: the check fails (the app answers 500), and nothing of the key shows.
      await assert.rejects(
        verifySecondStepCode(wrongKey.deps, started.flowToken, { code: codeFor(alice.keyBase32, clock.now()) }, { clientAddress: "203.0.113.9", userAgent: null }),
        (error: Error) => !error.message.includes(alice.keyBase32) && /authenticate/.test(error.message),
      );
    } finally {
      await wrongKey.close();
    }

    // …while the same server given the real key as a previous key (rotation) can.
    const rotated = await createRuntime(parseConfig({ ...env, TWOSTEP_ENCRYPTION_KEY_ID: "k2", TWOSTEP_PREVIOUS_ENCRYPTION_KEYS: `test:${testKeyBase64}` }), { clock, logger: t.logger });
    const rotatedApp = await buildApp({ deps: rotated.deps, cookieSecret: "another-cookie-secret-another-cookie", logger: false });
    try {
      const flowId = await apiStartLogin(rotatedApp, { email: alice.user.email, password: alice.password });
      const response = await apiPost(rotatedApp, "/api/login/second-factor", { flowId, code: codeFor(alice.keyBase32, clock.now()) });
      assert.equal(response.statusCode, 200, response.body);
    } finally {
      await rotatedApp.close();
      await rotated.close();
    }
  });
});
