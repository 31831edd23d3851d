/**
 * Threat: a recovery code used twice by racing requests — the check "is it
 * unused?" and the write "mark it used" are separate, so parallel requests all
 * pass the check (artifact-keeper #1822: one backup code → 14 sessions from
 * 30 parallel requests; better-auth PR #6176). twostep consumes a code with one
 * conditional UPDATE, so of N racing requests exactly one wins.
 * Covers R2 and SECURITY 21.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { apiPost, apiStartLogin, enrolTotp } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

/** Sessions issued to the user so far, from the event log (one `login.succeeded` per session). */
async function successfulLogins(t: TestApp, userId: string): Promise<number> {
  const events = await t.deps.store.events.listEvents({ subjectUserId: userId, limit: 1000 });
  return events.filter((event) => event.type === "login.succeeded").length;
}

describe("security: racing one recovery code", () => {
  describe("with the default limits", () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp();
    });
    after(() => t.close());

    it("gives one success for 20 parallel requests, each with its own login flow", async () => {
      const { user, password, recoveryCodes } = await enrolTotp(t.deps);
      const code = recoveryCodes[0]!;
      // The logins open one after another: 20 at once would meet the per-account password delay, not the race under test.
      const flows: string[] = [];
      for (let index = 0; index < 20; index++) flows.push(await apiStartLogin(t.app, { email: user.email, password }, `10.20.0.${index + 1}`));
      const before = await successfulLogins(t, user.id);

      const responses = await Promise.all(flows.map((flowId, index) => apiPost(t.app, "/api/login/recovery-code", { flowId, code }, { address: `10.20.0.${index + 1}` })));
      const statuses = responses.map((response) => response.statusCode);
      assert.equal(statuses.filter((status) => status === 200).length, 1, `statuses: ${statuses.join(",")}`);
      assert.ok(statuses.every((status) => status === 200 || status === 401 || status === 429), `statuses: ${statuses.join(",")}`);
      assert.equal((await successfulLogins(t, user.id)) - before, 1, "one session was issued");

      const set = await t.deps.store.codes.findRecoveryCodes(user.id);
      assert.equal(set!.codes.filter((record) => record.usedAt !== null).length, 1, "one code is spent");
    });
  });

  describe("when the login closes while the code is being checked", () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp();
    });
    after(() => t.close());

    /** Runs `work` with a recovery-code hasher that runs `meanwhile` while it hashes (the slow step, before any write). */
    async function whileHashing<T>(meanwhile: () => Promise<unknown>, work: () => Promise<T>): Promise<T> {
      const original = t.deps.recoveryCodeHasher;
      t.deps.recoveryCodeHasher = {
        hash: async (code, salt) => {
          await meanwhile();
          return original.hash(code, salt);
        },
      };
      try {
        return await work();
      } finally {
        t.deps.recoveryCodeHasher = original;
      }
    }

    it("spends no code and disables nothing when the login expires before the code is consumed", async () => {
      const { user, password, recoveryCodes } = await enrolTotp(t.deps, { policy: { recoveryCodePolicy: "disable" } });
      const flowId = await apiStartLogin(t.app, { email: user.email, password });
      const response = await whileHashing(
        async () => t.clock.advance(t.config.loginTtlSeconds + 1),
        () => apiPost(t.app, "/api/login/recovery-code", { flowId, code: recoveryCodes[0]! }),
      );
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().code, "login_expired");

      const set = await t.deps.store.codes.findRecoveryCodes(user.id);
      assert.equal(set?.codes.filter((record) => record.usedAt === null).length, 10, "no code was spent by a login that got no session");
      assert.equal((await t.deps.store.methods.listMethods(user.id)).length, 1, "2FA is still on");
      const events = await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 100 });
      assert.equal(events.filter((event) => event.type === "login.recovery_code_used" || event.type === "two_factor.disabled").length, 0);

      // The same code still works for the next login.
      const next = await apiPost(t.app, "/api/login/recovery-code", { flowId: await apiStartLogin(t.app, { email: user.email, password }), code: recoveryCodes[0]! });
      assert.equal(next.statusCode, 200, next.body);
    });

    it("spends no code when another factor completed the same login meanwhile", async () => {
      const { user, password, keyBase32, recoveryCodes } = await enrolTotp(t.deps);
      t.clock.advance(30);
      const flowId = await apiStartLogin(t.app, { email: user.email, password });
      let totpLogin: Awaited<ReturnType<typeof apiPost>> | undefined;
      const recovery = await whileHashing(
        async () => {
          totpLogin = await apiPost(t.app, "/api/login/second-factor", { flowId, code: codeFor(keyBase32, t.clock.now()) });
        },
        () => apiPost(t.app, "/api/login/recovery-code", { flowId, code: recoveryCodes[1]! }),
      );
      assert.equal(totpLogin!.statusCode, 200);
      assert.equal(recovery.statusCode, 401, "the login was already completed");
      assert.equal(recovery.json().code, "login_expired");
      const spent = (await t.deps.store.codes.findRecoveryCodes(user.id))!.codes.filter((record) => record.usedAt !== null).length;
      assert.equal(spent, 0, "a code is spent only by a request that logs in with it");
    });
  });

  describe("with limits raised so every racer reaches the code check", () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ env: { TWOSTEP_USER_FREE_FAILURES: "100", TWOSTEP_ADDRESS_FREE_FAILURES: "1000", TWOSTEP_ACCOUNT_PASSWORD_FREE_FAILURES: "1000" } });
    });
    after(() => t.close());

    it("gives one success and 19 refusals for 20 parallel API requests", async () => {
      const { user, password, recoveryCodes } = await enrolTotp(t.deps);
      const code = recoveryCodes[3]!;
      const flows = await Promise.all(Array.from({ length: 20 }, () => apiStartLogin(t.app, { email: user.email, password })));

      const responses = await Promise.all(flows.map((flowId) => apiPost(t.app, "/api/login/recovery-code", { flowId, code })));
      const codes = responses.map((response) => (response.statusCode === 200 ? "ok" : (response.json() as { code: string }).code));
      assert.equal(codes.filter((result) => result === "ok").length, 1, codes.join(","));
      assert.equal(codes.filter((result) => result === "invalid_recovery_code").length, 19, codes.join(","));
      const winner = responses.find((response) => response.statusCode === 200)!;
      assert.equal(winner.json().recovery.codesLeft, 9);

      // The spent code stays spent for a later, unhurried attempt too.
      const later = await apiPost(t.app, "/api/login/recovery-code", { flowId: await apiStartLogin(t.app, { email: user.email, password }), code });
      assert.equal(later.statusCode, 401);
    });

    it("gives one success when pages and API race with the same code", async () => {
      const { user, password, recoveryCodes } = await enrolTotp(t.deps);
      const code = recoveryCodes[5]!;
      const browsers = await Promise.all(
        Array.from({ length: 10 }, async (_, index) => {
          const browser = new FormClient(t.app, `10.21.0.${index + 1}`);
          await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
          return { browser, csrf: await browser.csrfFor("/login/recovery") };
        }),
      );
      const flows = await Promise.all(Array.from({ length: 10 }, () => apiStartLogin(t.app, { email: user.email, password })));
      const before = await successfulLogins(t, user.id);

      const responses = await Promise.all([
        ...browsers.map(({ browser, csrf }) => browser.post("/login/recovery", { code: code.toLowerCase() }, { csrf })),
        ...flows.map((flowId) => apiPost(t.app, "/api/login/recovery-code", { flowId, code: code.replace(/-/g, " ") })),
      ]);
      const wins = responses.filter((response) => response.statusCode === 200 || (response.statusCode === 303 && response.headers.location === "/settings/security"));
      assert.equal(wins.length, 1, responses.map((response) => response.statusCode).join(","));
      assert.equal((await successfulLogins(t, user.id)) - before, 1);
    });
  });
});
