/**
 * Threat: a burst of logins (or of password resets, recovery-code sets) runs one argon2id
 * computation each, 19 MiB apiece at the production cost: unbounded, a few hundred at once take
 * the server out of memory, and every user with it (issue 16). Every argon2id hash and verify runs
 * through one limit per process (TWOSTEP_PASSWORD_HASH_CONCURRENCY, default 2); the rest wait in a
 * first-in first-out queue for at most TWOSTEP_PASSWORD_HASH_QUEUE_TIMEOUT_MS, then the request
 * answers 503 `server_busy` with Retry-After and nothing changed (its throttle counts given back).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config.js";
import { createHashLimiter, HashQueueTimeoutError } from "../../src/security/hash-limiter.js";
import { createPasswordHasher } from "../../src/security/passwords.js";
import { createRecoveryCodeHasher } from "../../src/security/recovery-code-hash.js";
import { FormClient } from "../helpers/browser-client.js";
import { apiPost } from "../helpers/enrol.js";
import { createTestApp, seedUser, testKeyBase64, type TestApp } from "../helpers/runtime.js";

/** A promise the test settles by hand: work that holds its place until told. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("security: argon2id computations in flight are limited", () => {
  describe("the limiter", () => {
    it("runs at most N at once, starts the waiting ones first in, first out, and each as soon as a place frees", async () => {
      const limiter = createHashLimiter({ concurrency: 2, queueTimeoutMs: 5_000 });
      const gates = Array.from({ length: 6 }, gate);
      const started: number[] = [];
      let inFlight = 0;
      let most = 0;
      const runs = gates.map((g, index) =>
        limiter.run(async () => {
          started.push(index);
          most = Math.max(most, ++inFlight);
          await g.promise;
          inFlight--;
          return index;
        }),
      );
      await tick();
      assert.deepEqual(started, [0, 1]);
      assert.equal(limiter.running, 2);
      assert.equal(limiter.waiting, 4);
      // The second finishes first: the third starts (not any later one), the first still runs.
      gates[1]!.open();
      await tick();
      await tick();
      assert.deepEqual(started, [0, 1, 2]);
      for (const index of [0, 2, 3, 4, 5]) {
        gates[index]!.open();
        await tick();
        await tick();
      }
      assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4, 5]);
      assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
      assert.equal(most, 2);
      assert.equal(limiter.running, 0);
      assert.equal(limiter.waiting, 0);
    });

    it("fails a call that waited longer than the queue timeout, without running it, and the queue goes on", async () => {
      const limiter = createHashLimiter({ concurrency: 1, queueTimeoutMs: 30 });
      const holder = gate();
      const held = limiter.run(() => holder.promise);
      let ran = false;
      const late = limiter.run(async () => {
        ran = true;
      });
      await assert.rejects(late, (error: unknown) => error instanceof HashQueueTimeoutError && error.code === "server_busy" && error.retryAfterSeconds === 1);
      assert.equal(ran, false);
      assert.equal(limiter.waiting, 0);
      // One that is still waiting when the place frees runs.
      const next = limiter.run(async () => "next");
      holder.open();
      await held;
      assert.equal(await next, "next");
      assert.equal(limiter.running, 0);
    });

    it("leaks no place when the work throws or rejects: later calls still run, N at a time", async () => {
      const limiter = createHashLimiter({ concurrency: 2, queueTimeoutMs: 1_000 });
      const failures = await Promise.allSettled([
        limiter.run(() => {
          throw new Error("thrown at once");
        }),
        limiter.run(async () => {
          throw new Error("rejected");
        }),
        limiter.run(() => Promise.reject(new Error("rejected later"))),
      ]);
      assert.deepEqual(
        failures.map((result) => result.status),
        ["rejected", "rejected", "rejected"],
      );
      assert.equal(limiter.running, 0);
      assert.equal(limiter.waiting, 0);
      let inFlight = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 5 }, () =>
          limiter.run(async () => {
            most = Math.max(most, ++inFlight);
            await tick();
            inFlight--;
          }),
        ),
      );
      assert.equal(most, 2);
    });

    it("puts every password hash and verify, the dummy one for an unknown user included, and every recovery-code hash through it", async () => {
      const limiter = createHashLimiter({ concurrency: 1, queueTimeoutMs: 50 });
      const cheap = { memoryKib: 1024, iterations: 1, parallelism: 1 };
      const passwords = createPasswordHasher(cheap, limiter);
      const codes = createRecoveryCodeHasher(cheap, limiter);
      const stored = await passwords.hash("a password of some length");
      assert.equal(await passwords.verify(stored, "a password of some length"), true);
      assert.equal(await passwords.verify(null, "a password of some length"), false);
      const holder = gate();
      const held = limiter.run(() => holder.promise);
      for (const call of [() => passwords.hash("x".repeat(12)), () => passwords.verify(stored, "x"), () => passwords.verify(null, "x"), () => codes.hash("ABCDEFGHJKMNPQRS", Buffer.alloc(16, 1))]) {
        await assert.rejects(call(), HashQueueTimeoutError);
      }
      holder.open();
      await held;
      assert.equal(await passwords.verify(stored, "a password of some length"), true);
    });
  });

  describe("configuration", () => {
    const production = { TWOSTEP_ENV: "production", TWOSTEP_ENCRYPTION_KEY: testKeyBase64 };
    it("defaults to 2 at once (sized for 2 cores) and a 5-second queue", () => {
      assert.deepEqual(parseConfig(production).passwordHashing, { concurrency: 2, queueTimeoutMs: 5000 });
    });
    it("reads TWOSTEP_PASSWORD_HASH_CONCURRENCY and TWOSTEP_PASSWORD_HASH_QUEUE_TIMEOUT_MS", () => {
      assert.deepEqual(parseConfig({ ...production, TWOSTEP_PASSWORD_HASH_CONCURRENCY: "8", TWOSTEP_PASSWORD_HASH_QUEUE_TIMEOUT_MS: "250" }).passwordHashing, { concurrency: 8, queueTimeoutMs: 250 });
    });
    it("refuses values out of range, naming the variable", () => {
      for (const [name, value] of [
        ["TWOSTEP_PASSWORD_HASH_CONCURRENCY", "0"],
        ["TWOSTEP_PASSWORD_HASH_CONCURRENCY", "65"],
        ["TWOSTEP_PASSWORD_HASH_CONCURRENCY", "two"],
        ["TWOSTEP_PASSWORD_HASH_QUEUE_TIMEOUT_MS", "99"],
        ["TWOSTEP_PASSWORD_HASH_QUEUE_TIMEOUT_MS", "60001"],
      ]) {
        assert.throws(
          () => parseConfig({ ...production, [name!]: value! }),
          (error: unknown) => error instanceof ConfigError && error.message.startsWith(`${name} must be a whole number`),
          `${name}=${value}`,
        );
      }
    });
  });

  describe("over HTTP: too many sign-ins at once", () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ env: { TWOSTEP_PASSWORD_HASH_CONCURRENCY: "1", TWOSTEP_PASSWORD_HASH_QUEUE_TIMEOUT_MS: "100" } });
    });
    after(() => t.close());
    /** Every place free (the dummy hash of a first verify may still run after its login answered), then one held by the test. */
    async function holdTheOnlyPlace() {
      while (t.hashLimiter.running > 0 || t.hashLimiter.waiting > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const holder = gate();
      const held = t.hashLimiter.run(() => holder.promise);
      assert.equal(t.hashLimiter.running, 1);
      return async () => {
        holder.open();
        await held;
      };
    }

    /** What a login may change: counters (a row given back to 0 counts nothing), events, sessions. */
    const state = async () => ({
      counters: await t.database.db.selectFrom("attempt_counters").select(["key", "failures", "locked_until"]).where("failures", ">", 0).orderBy("key").execute(),
      events: (await t.database.db.selectFrom("events").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n,
      sessions: (await t.database.db.selectFrom("sessions").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n,
    });

    it("answers the API 503 server_busy with Retry-After while every place is taken, changes nothing, and logs in once a place is free", async () => {
      const { user, password } = await seedUser(t.deps);
      const before = await state();
      const release = await holdTheOnlyPlace();
      for (const attempt of [password, "a wrong password"]) {
        const response = await apiPost(t.app, "/api/login", { email: user.email, password: attempt });
        assert.equal(response.statusCode, 503);
        assert.equal(response.headers["retry-after"], "1");
        assert.deepEqual(response.json(), { code: "server_busy", message: "Too many sign-ins at once. Try again in a moment.", retryAfterSeconds: 1 });
      }
      // An unknown email waits and fails alike (the dummy verify is limited too).
      const unknown = await apiPost(t.app, "/api/login", { email: "nobody-here@example.test", password: "whatever it is" });
      assert.equal(unknown.statusCode, 503);
      assert.deepEqual(await state(), before);
      await release();
      const response = await apiPost(t.app, "/api/login", { email: user.email, password });
      assert.equal(response.statusCode, 200);
      assert.ok((response.json() as { sessionToken?: string }).sessionToken);
    });

    it("answers the login page 503 with the words and Retry-After, the form's fields kept apart from the error", async () => {
      const { user, password } = await seedUser(t.deps);
      const browser = new FormClient(t.app);
      const csrf = await browser.csrfFor("/login");
      const release = await holdTheOnlyPlace();
      const response = await browser.post("/login", { email: user.email, password }, { csrf });
      await release();
      assert.equal(response.statusCode, 503);
      assert.equal(response.headers["retry-after"], "1");
      assert.match(response.headers["content-type"]!.toString(), /^text\/html/);
      assert.match(response.body, /Too many sign-ins at once\. Try again in a moment\./);
      assert.doesNotMatch(response.body, new RegExp(password));
    });
  });
});
