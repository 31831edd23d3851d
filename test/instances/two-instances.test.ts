/**
 * Several instances behind a load balancer share the database and the keys,
 * nothing else. Two real server processes on one database (PostgreSQL under
 * TWOSTEP_TEST_DATABASE=postgres, else one SQLite file), requests alternating
 * between them:
 * - a login begun on one completes on the other;
 * - a TOTP code accepted on one is refused on the other (replay, SECURITY 4);
 * - one recovery code raced over both gives one session (SECURITY 21);
 * - wrong codes spread over both lock the user (SECURITY 7);
 * - an SMS code works once, and the send limits count across both (SECURITY 24–25);
 * - the event log keeps the order the events were written in, across both.
 * Real clocks: the window is widened to ±10 steps so one test can use many
 * fresh codes without waiting (each code still claims a strictly later step).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseConfig } from "../../src/config.js";
import { createRuntime, type Runtime } from "../../src/bootstrap.js";
import { callApi, createSharedDatabase, instanceEnv, startInstance, stopInstance, type Instance } from "../helpers/instances.js";
import { seedUser } from "../helpers/runtime.js";
import { allTexts, codeOf } from "../helpers/sms.js";
import { codeFor, wrongCodeFor } from "../helpers/totp.js";

const extraEnv = { TWOSTEP_TOTP_WINDOW_STEPS: "10", TWOSTEP_SMS_RESEND_SECONDS: "0", TWOSTEP_SMS_LIMIT_PER_USER: "4" };

describe("two instances on one database", () => {
  let database: { url: string; drop(): Promise<void> };
  let runtime: Runtime;
  let a: Instance;
  let b: Instance;

  before(async () => {
    database = await createSharedDatabase();
    const env = instanceEnv(database.url, extraEnv);
    // The test's own runtime migrates first and seeds users, as an operator's CLI would.
    runtime = await createRuntime(parseConfig(env));
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  });

  after(async () => {
    await Promise.all([a && stopInstance(a), b && stopInstance(b)]);
    await runtime?.close();
    await database?.drop();
  });

  /** A user with TOTP set up half on each instance; the setup claimed the oldest step of the window. */
  async function totpUser(kind: "reseller" | "customer" = "reseller") {
    const { user, password } = await seedUser(runtime.deps, { kind });
    const login = await callApi(a.url, "/api/login", { email: user.email, password });
    assert.equal(login.body.status, "authenticated", JSON.stringify(login.body));
    const begun = await callApi(a.url, "/api/me/two-factor/totp", { password }, login.body.sessionToken);
    assert.equal(begun.status, 200, JSON.stringify(begun.body));
    let step = -10;
    const confirmed = await callApi(b.url, `/api/me/two-factor/totp/${begun.body.methodId}/confirm`, { code: codeFor(begun.body.key, Date.now(), step) }, login.body.sessionToken);
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    return {
      user,
      password,
      key: begun.body.key as string,
      recoveryCodes: confirmed.body.recoveryCodes as string[],
      /** A code for a step later than any used so far. */
      nextCode: () => codeFor(begun.body.key, Date.now(), ++step),
      flowOn: async (instance: Instance) => {
        const answer = await callApi(instance.url, "/api/login", { email: user.email, password });
        assert.equal(answer.body.status, "second_factor_required", JSON.stringify(answer.body));
        return answer.body.flowId as string;
      },
    };
  }

  it("completes on one instance a login begun on the other, and refuses the code again on either", async () => {
    const u = await totpUser();
    const code = u.nextCode();
    const done = await callApi(b.url, "/api/login/second-factor", { flowId: await u.flowOn(a), code });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(typeof done.body.sessionToken, "string");

    const replay = await callApi(a.url, "/api/login/second-factor", { flowId: await u.flowOn(b), code });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.code, "invalid_code", "a code accepted on B is a replay on A");

    const again = await callApi(a.url, "/api/login/second-factor", { flowId: await u.flowOn(a), code: u.nextCode() });
    assert.equal(again.status, 200, "a later code still works");

    // The log lists what happened in the order it happened, whichever instance wrote it.
    const events = await callApi(b.url, "/api/me/events", undefined, again.body.sessionToken);
    // (Each API login without a browserToken is also a new browser: login.new_browser, issue 17.)
    assert.deepEqual(
      events.body.events.map((event: { type: string }) => event.type).filter((type: string) => type !== "login.new_browser").slice(0, 3),
      ["login.succeeded", "login.second_factor_failed", "login.succeeded"],
    );
  });

  it("gives one session for one recovery code raced over both instances", async () => {
    const u = await totpUser("customer");
    for (const code of u.recoveryCodes.slice(0, 3)) {
      const [flowA, flowB] = await Promise.all([u.flowOn(a), u.flowOn(b)]);
      const answers = await Promise.all([
        callApi(a.url, "/api/login/recovery-code", { flowId: flowA, code }),
        callApi(b.url, "/api/login/recovery-code", { flowId: flowB, code }),
      ]);
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 401], JSON.stringify(answers.map((answer) => answer.body)));
      assert.equal(answers.find((answer) => answer.status === 401)!.body.code, "invalid_recovery_code");
    }
  });

  it("locks the user when wrong codes are spread over both instances", async () => {
    const u = await totpUser();
    const flowId = await u.flowOn(a);
    const wrong = () => wrongCodeFor(u.key, Date.now(), 10);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await callApi(i % 2 === 0 ? a.url : b.url, "/api/login/second-factor", { flowId, code: wrong() });
      statuses.push(answer.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429], "five free failures in all, then the lock");
    const right = await callApi(b.url, "/api/login/second-factor", { flowId: await u.flowOn(b), code: u.nextCode() });
    assert.equal(right.status, 429, "while locked, not even the right code is checked, on either instance");
    assert.equal(right.body.code, "locked_out");
  });

  it("accepts an SMS code once, and counts the send limits across both instances", async () => {
    const { user, password } = await seedUser(runtime.deps, { kind: "reseller" });
    const session = (await callApi(a.url, "/api/login", { email: user.email, password })).body.sessionToken as string;
    const sentTo = async (act: () => Promise<unknown>) => {
      const before = new Set((await allTexts(runtime.deps)).map((text) => text.id));
      const answer = await act();
      const texts = (await allTexts(runtime.deps)).filter((text) => !before.has(text.id));
      return { answer: answer as { status: number; body: Record<string, any> }, texts };
    };
    const setup = await sentTo(() => callApi(a.url, "/api/me/two-factor/sms", { password, phoneNumber: "+447400123456" }, session));
    assert.equal(setup.answer.status, 200, JSON.stringify(setup.answer.body));
    assert.equal(setup.texts.length, 1, "text 1 of 4: the setup code");
    const confirmed = await callApi(b.url, `/api/me/two-factor/sms/${setup.answer.body.methodId}/confirm`, { code: codeOf(setup.texts[0]!) }, session);
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));

    const login = await sentTo(() => callApi(b.url, "/api/login", { email: user.email, password }));
    assert.equal(login.texts.length, 1, "text 2 of 4: sent when the second step opened");
    const code = codeOf(login.texts[0]!);
    const raced = await Promise.all([
      callApi(a.url, "/api/login/second-factor", { flowId: login.answer.body.flowId, code }),
      callApi(b.url, "/api/login/second-factor", { flowId: login.answer.body.flowId, code }),
    ]);
    assert.deepEqual(raced.map((answer) => answer.status).sort(), [200, 401], JSON.stringify(raced.map((answer) => answer.body)));

    const next = await sentTo(() => callApi(a.url, "/api/login", { email: user.email, password }));
    assert.equal(next.texts.length, 1, "text 3 of 4");
    const flowId = next.answer.body.flowId as string;
    const fourth = await sentTo(() => callApi(b.url, "/api/login/resend", { flowId }));
    assert.equal(fourth.answer.status, 200, JSON.stringify(fourth.answer.body));
    const fifth = await sentTo(() => callApi(a.url, "/api/login/resend", { flowId }));
    assert.equal(fifth.answer.status, 429, "the hourly limit of 4 texts per user holds across instances");
    assert.equal(fifth.answer.body.code, "sms_limit_reached");
    assert.equal(fifth.texts.length, 0);
  });
});
