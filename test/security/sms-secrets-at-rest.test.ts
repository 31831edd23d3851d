/**
 * Threat: a stolen database (backup, replica, SQL injection elsewhere) yields
 * users' phone numbers (personal data, and the target for SIM-swap or
 * SMS-interception attacks on exactly the accounts that rely on SMS), or the
 * SMS codes still pending — in the clear, or as a fast unkeyed hash that a
 * loop over the 10^6 possible codes reverses in a second. twostep stores the
 * number with the same authenticated encryption as TOTP keys, bound to the
 * method id, shows only a masked hint (calling code and last three digits),
 * keys the per-number send window by a keyed hash, and stores each code as
 * HMAC(key outside the database, code id + code).
 * Covers SECURITY 24 ("stored hashed") and the spirit of 13 for the number.
 *
 * The development outbox stores what it "sends" (number and text) in the
 * database by design and is refused in production; so this test sends
 * through an in-memory gateway and the database holds only what production
 * would hold.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import SQLite from "better-sqlite3";
import type { SmsGateway, SmsMessage } from "../../src/services/deps.js";
import { smsCodeHash } from "../../src/services/factors/sms/sms-codes.js";
import { apiPost, apiSessionFor } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeOf, gbMobile, phoneSpellings } from "../helpers/sms.js";

/** A gateway that keeps messages in memory: nothing about them reaches the database. */
function memoryGateway(): SmsGateway & { sent: SmsMessage[] } {
  const sent: SmsMessage[] = [];
  return { name: "memory", sent, send: async (message) => (sent.push(message), { ok: true, providerMessageId: message.id }) };
}

/** A 6-digit code as its own number, not part of a longer digit run. */
function mentionsCode(text: string, code: string): boolean {
  return new RegExp(`(?<![\\d.])${code}(?!\\d)`).test(text);
}

describe("security: SMS numbers and codes at rest", () => {
  let directory: string;
  let databasePath: string;
  let t: TestApp;
  let sqlite: SQLite.Database;
  const gateway = memoryGateway();
  const alicePhone = gbMobile(0);
  const bobPhone = gbMobile(1);
  let aliceMethodId: string;
  let bobPendingId: string;
  /** Every code texted, with the id of its message (= its sms_codes row). */
  const texted: { id: string; code: string }[] = [];

  async function sending<T>(act: () => Promise<T>): Promise<{ result: T; code: string }> {
    const before = gateway.sent.length;
    const result = await act();
    assert.equal(gateway.sent.length, before + 1, "one text");
    const message = gateway.sent.at(-1)!;
    texted.push({ id: message.id, code: codeOf(message) });
    return { result, code: codeOf(message) };
  }

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "twostep-sms-at-rest-"));
    databasePath = join(directory, "twostep.sqlite");
    t = await createTestApp({ databasePath });
    t.deps.sms = gateway;

    // Alice: SMS set up (setup code used), then a login whose code is still pending.
    const alice = await seedUser(t.deps);
    let token = await apiSessionFor(t.app, { email: alice.user.email, password: alice.password });
    const begun = await sending(() => apiPost(t.app, "/api/me/two-factor/sms", { password: alice.password, phoneNumber: "+44 7400 123456" }, { token }));
    aliceMethodId = begun.result.json().methodId;
    assert.equal((await apiPost(t.app, `/api/me/two-factor/sms/${aliceMethodId}/confirm`, { code: begun.code }, { token })).statusCode, 200);
    await sending(() => apiPost(t.app, "/api/login", { email: alice.user.email, password: alice.password }));

    // Bob: a setup begun and not confirmed (a pending method, an unused code).
    const bob = await seedUser(t.deps);
    token = await apiSessionFor(t.app, { email: bob.user.email, password: bob.password });
    const bobBegun = await sending(() => apiPost(t.app, "/api/me/two-factor/sms", { password: bob.password, phoneNumber: bobPhone }, { token }));
    bobPendingId = bobBegun.result.json().methodId;

    sqlite = new SQLite(databasePath, { readonly: true });
  });
  after(async () => {
    sqlite.close();
    await t.close();
    await rm(directory, { recursive: true, force: true });
  });

  /** Every value in every table, with its table and column, ids left out (a UUID can hold any 6 digits). */
  function everyStoredValue(): { where: string; value: string }[] {
    const tables = sqlite.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
    return tables.flatMap(({ name }) =>
      (sqlite.prepare(`select * from "${name}"`).all() as Record<string, unknown>[]).flatMap((row) =>
        Object.entries(row)
          .map(([column, value]) => ({ where: `${name}.${column}`, value: Buffer.isBuffer(value) ? value.toString("latin1") : String(value) }))
          .filter(({ value }) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)),
      ),
    );
  }

  async function databaseBytes(): Promise<Buffer> {
    const files = [databasePath, `${databasePath}-wal`].filter((path) => existsSync(path));
    return Buffer.concat(await Promise.all(files.map((path) => readFile(path))));
  }

  const numberSpellings = (e164: string) => [...phoneSpellings(e164), "+44 7400 " + e164.slice(-6), Buffer.from(e164).toString("base64"), Buffer.from(e164).toString("hex")];

  it("stores the phone number only as an authenticated ciphertext, with a masked hint", () => {
    for (const [id, phone, masked] of [
      [aliceMethodId, alicePhone, "+44 •••••••456"],
      [bobPendingId, bobPhone, "+44 •••••••457"],
    ] as const) {
      const row = sqlite.prepare("select secret_ciphertext, display_hint from methods where id = ?").get(id) as { secret_ciphertext: string; display_hint: string };
      assert.match(row.secret_ciphertext, /^v1\.test\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/, "versioned AES-GCM envelope: key id, IV, tag, body");
      for (const spelling of numberSpellings(phone)) assert.equal(row.secret_ciphertext.includes(spelling), false, `the ciphertext holds ${spelling}`);
      const national = phone.slice(3);
      assert.equal(row.secret_ciphertext.includes(national.slice(-6)), false, "not even the last six digits");
      assert.equal(row.display_hint, masked, "the hint shows the calling code and the last three digits only");
    }
  });

  it("decrypts only with the key and the method's own id (a copied ciphertext does not open elsewhere)", () => {
    const row = sqlite.prepare("select secret_ciphertext from methods where id = ?").get(aliceMethodId) as { secret_ciphertext: string };
    assert.equal(t.deps.secretBox.open(row.secret_ciphertext, aliceMethodId).toString("utf8"), alicePhone, "positive control: stored as E.164");
    assert.throws(() => t.deps.secretBox.open(row.secret_ciphertext, bobPendingId));
  });

  it("holds the numbers nowhere in the clear: no table, no column, no byte of the database files", async () => {
    const values = everyStoredValue();
    const bytes = await databaseBytes();
    for (const phone of [alicePhone, bobPhone]) {
      for (const spelling of numberSpellings(phone)) {
        const found = values.filter(({ value }) => value.includes(spelling)).map(({ where }) => where);
        assert.deepEqual(found, [], `${spelling} stored in the clear`);
        assert.equal(bytes.includes(Buffer.from(spelling)), false, `${spelling} in the database files`);
      }
    }
    const numberWindows = (sqlite.prepare("select key from rate_windows where key like 'sms-number:%'").all() as { key: string }[]).map((row) => row.key);
    assert.equal(numberWindows.length, 2, "one send window per number…");
    for (const key of numberWindows) assert.match(key, /^sms-number:[\w-]{43}$/, "…keyed by an HMAC, not the number");
  });

  it("stores each SMS code as a keyed hash over its id and digits, never the code or a plain hash of it", async () => {
    const rows = sqlite.prepare("select id, purpose, code_hash, used_at from sms_codes").all() as { id: string; purpose: string; code_hash: string; used_at: number | null }[];
    assert.deepEqual(rows.map((row) => row.purpose).sort(), ["enrol", "enrol", "login"]);
    assert.equal(rows.filter((row) => row.used_at === null).length, 2, "Alice's login code and Bob's setup code are pending");
    for (const { id, code } of texted) {
      const row = rows.find((candidate) => candidate.id === id)!;
      assert.ok(row, "the code's row has the message's id");
      assert.notEqual(row.code_hash, code);
      assert.equal(mentionsCode(row.code_hash, code), false);
      assert.equal(row.code_hash, smsCodeHash(t.deps, id, code), "HMAC over sms:<id>:<code>");
      for (const input of [code, `sms:${id}:${code}`, `${id}${code}`]) {
        for (const algorithm of ["sha256", "sha1", "sha512", "md5"]) {
          for (const encoding of ["hex", "base64", "base64url"] as const) {
            assert.notEqual(row.code_hash, createHash(algorithm).update(input).digest(encoding), `a plain ${algorithm} of the code`);
          }
        }
      }
      // Without the key a guesser has nothing: the same input under another key gives another value.
      assert.notEqual(row.code_hash, createHmac("sha256", "some other key").update(`sms:${id}:${code}`).digest("base64url"));
    }
    // The id is part of the input: the same digits stored twice give two unrelated hashes.
    assert.notEqual(smsCodeHash(t.deps, rows[0]!.id, "123456"), smsCodeHash(t.deps, rows[1]!.id, "123456"));

    const values = everyStoredValue();
    const bytes = await databaseBytes();
    for (const { code } of texted) {
      assert.deepEqual(values.filter(({ value }) => mentionsCode(value, code)).map(({ where }) => where), [], `code ${code} stored in the clear`);
      assert.equal(bytes.includes(Buffer.from(`#${code}`)), false, "no text message body in the database files");
    }
  });
});
