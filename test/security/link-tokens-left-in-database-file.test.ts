/**
 * Threat: used link tokens read back out of the SQLite file. Reset and
 * invitation emails carry a set-password link; the outbox erased each body once
 * sent, but the text stayed in the file's free space and in the -wal (6 of 17
 * tokens were found there, one still opening the set-password page, unused
 * and unexpired). Whoever gets a copy of the file (a backup, a stolen disk)
 * sets the password. Only hashes of the tokens are stored in the clear; the
 * email bodies that must carry a link are sealed (AES-256-GCM, the key outside
 * the database); SQLite runs with `secure_delete`, so what is erased is zeroed.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sessionActor } from "../../src/services/sessions/sessions.js";
import { createAccountUser } from "../../src/services/admin/create-user.js";
import { dispatchDueMessages } from "../../src/services/messages/message-dispatcher.js";
import { requestPasswordReset } from "../../src/services/reset/password-reset-request.js";
import type { EmailMessage } from "../../src/services/deps.js";
import { createTestRuntime, seedUser, type TestRuntime } from "../helpers/runtime.js";
import { createSqliteDatabase } from "../../src/store/sqlite.js";
import { sql } from "kysely";

const context = { clientAddress: null, userAgent: "test" };

/** Every file of the database: the main file, and the -wal and -shm while they exist. */
function databaseBytes(path: string): Buffer {
  return Buffer.concat([path, `${path}-wal`, `${path}-shm`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
}

describe("link tokens are not readable in the SQLite file", () => {
  let dir: string;
  let path: string;
  let t: TestRuntime;
  const sent: EmailMessage[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "twostep-link-tokens-"));
    path = join(dir, "twostep.sqlite");
    t = await createTestRuntime({ databasePath: path });
    // A real transport stand-in: what it is given leaves the database (no development outbox table).
    t.deps.email = { name: "capture", send: async (message) => (sent.push(message), { ok: true, providerMessageId: `m${sent.length}` }) };
  });
  after(async () => {
    await t.close().catch(() => undefined); // the last test closes it to read the file after a clean shutdown
    rmSync(dir, { recursive: true, force: true });
  });

  it("the secure_delete pragma is on for the server's SQLite connection", async () => {
    const db = createSqliteDatabase(join(dir, "pragma.sqlite"));
    try {
      const { rows } = await sql<{ secure_delete: number }>`pragma secure_delete`.execute(db);
      assert.equal(rows[0]?.secure_delete, 1);
    } finally {
      await db.destroy();
    }
  });

  it("after invitations and reset links are sent and erased, no token is in the file, its free pages or its -wal", async () => {
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const account = (await t.deps.store.accounts.findAccountById(admin.user.accountId))!;
    // A session that has just passed its login (fresh for any step-up check).
    const session = { id: "session", userId: admin.user.id, authenticatedAt: t.deps.clock.now(), createdAt: t.deps.clock.now() };
    const actor = sessionActor({ user: admin.user, account, session: session as never });
    for (let n = 0; n < 8; n++) {
      const created = await createAccountUser(t.deps, actor, { email: `invited${n}@example.test`, displayName: `Invited ${n}`, role: "member" }, context);
      assert.ok(created.ok, JSON.stringify(created));
    }
    for (let n = 0; n < 9; n++) {
      const user = await seedUser(t.deps);
      assert.deepEqual(await requestPasswordReset(t.deps, { email: user.user.email }, context), { ok: true });
    }
    // Before sending: the waiting rows hold no token in the clear either.
    const tokenPattern = /token=([A-Za-z0-9_-]{20,})/;
    assert.deepEqual(await dispatchDueMessages(t.deps), { sent: 17, retried: 0, failed: 0 });
    const tokens = sent.map((message) => tokenPattern.exec(message.text)?.[1]).filter((token): token is string => Boolean(token));
    assert.equal(tokens.length, 17, "every email carried its link to the transport");
    for (const message of sent) assert.match(message.html, tokenPattern, "the HTML part carries the link too");

    const whileOpen = databaseBytes(path);
    const foundWhileOpen = tokens.filter((token) => whileOpen.includes(token));
    assert.deepEqual(foundWhileOpen, [], `${foundWhileOpen.length} of ${tokens.length} tokens readable in the file or its -wal while the server runs`);
    await t.close();
    const afterClose = databaseBytes(path);
    const foundAfterClose = tokens.filter((token) => afterClose.includes(token));
    assert.deepEqual(foundAfterClose, [], `${foundAfterClose.length} of ${tokens.length} tokens readable in the file after a clean shutdown`);
  });
});
