/**
 * openDatabase picks the dialect from TWOSTEP_DATABASE_URL, and no error it
 * gives repeats the URL: a PostgreSQL URL carries the password, and these
 * messages reach terminals and logs. Pool size and statement timeout are
 * parsed and bounded like every other setting.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config.js";
import { openDatabase } from "../../src/store/open-database.js";

/** Development, asked for by name: production is the default environment. */
const development = { TWOSTEP_ENV: "development" };

const secret = "s3cret-Pa55word";
const settings = (databaseUrl: string) => ({ databaseUrl, databasePoolSize: 2, databaseStatementTimeoutMs: 1000 });

async function messageOf(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    return error instanceof Error ? `${error.message} ${String(error.stack)}` : String(error);
  }
  assert.fail("expected an error");
}

describe("openDatabase", () => {
  it("refuses an unknown scheme, naming the accepted ones, without the URL", async () => {
    const message = await messageOf(() => openDatabase(settings(`mysql://admin:${secret}@db.example/twostep`)));
    assert.match(message, /must start with sqlite: or postgres:\/\//);
    assert.ok(!message.includes(secret), message);
  });

  for (const bad of [`postgres://admin:${secret}@db.example:notaport/twostep`, `postgres://admin:${secret}@db.example:5432/`, `postgresql://admin:${secret}@/twostep`]) {
    it(`refuses a malformed PostgreSQL URL without echoing it (${bad.replace(secret, "…")})`, async () => {
      const message = await messageOf(() => openDatabase(settings(bad)));
      assert.match(message, /TWOSTEP_DATABASE_URL/);
      assert.ok(!message.includes(secret), message);
    });
  }

  it("accepts postgres:// and postgresql://, and a failed connection does not reveal the password", async () => {
    for (const scheme of ["postgres", "postgresql"]) {
      // Port 1 on localhost: nothing listens, so the connection is refused at once.
      const db = await openDatabase(settings(`${scheme}://admin:${secret}@127.0.0.1:1/twostep`));
      try {
        const message = await messageOf(() => db.selectFrom("accounts").selectAll().execute());
        assert.match(message, /ECONNREFUSED|connect/);
        assert.ok(!message.includes(secret), message);
      } finally {
        await db.destroy();
      }
    }
  });

  it("opens SQLite from sqlite:<path>", async () => {
    const db = await openDatabase(settings("sqlite::memory:"));
    try {
      assert.equal((await db.selectNoFrom((eb) => eb.val(1).as("one")).executeTakeFirstOrThrow()).one, 1);
    } finally {
      await db.destroy();
    }
  });
});

describe("database settings", () => {
  it("default to a pool of 10 and a 5 s statement timeout", () => {
    const config = parseConfig(development);
    assert.equal(config.databasePoolSize, 10);
    assert.equal(config.databaseStatementTimeoutMs, 5000);
    assert.equal(config.databaseNamedStatements, true);
  });

  it("read TWOSTEP_DATABASE_NAMED_STATEMENTS as on or off only", () => {
    assert.equal(parseConfig({ ...development, TWOSTEP_DATABASE_NAMED_STATEMENTS: "off" }).databaseNamedStatements, false);
    assert.equal(parseConfig({ ...development, TWOSTEP_DATABASE_NAMED_STATEMENTS: "on" }).databaseNamedStatements, true);
    assert.throws(() => parseConfig({ ...development, TWOSTEP_DATABASE_NAMED_STATEMENTS: "yes" }), (error: unknown) => error instanceof ConfigError && error.message.includes("TWOSTEP_DATABASE_NAMED_STATEMENTS"));
  });

  it("read TWOSTEP_DATABASE_POOL_SIZE and TWOSTEP_DATABASE_STATEMENT_TIMEOUT_MS, refusing nonsense by name", () => {
    const config = parseConfig({ ...development, TWOSTEP_DATABASE_POOL_SIZE: "25", TWOSTEP_DATABASE_STATEMENT_TIMEOUT_MS: "2500" });
    assert.equal(config.databasePoolSize, 25);
    assert.equal(config.databaseStatementTimeoutMs, 2500);
    for (const [name, value] of [
      ["TWOSTEP_DATABASE_POOL_SIZE", "0"],
      ["TWOSTEP_DATABASE_POOL_SIZE", "ten"],
      ["TWOSTEP_DATABASE_STATEMENT_TIMEOUT_MS", "-1"],
      ["TWOSTEP_DATABASE_STATEMENT_TIMEOUT_MS", "1.5"],
    ] as const) {
      assert.throws(() => parseConfig({ ...development, [name]: value }), (error: unknown) => error instanceof ConfigError && error.message.includes(name), `${name}=${value}`);
    }
  });
});
