/**
 * Threat: the second-factor lockout is reset by something the attacker
 * controls — restarting the multi-step login / re-entering the password
 * (caddy-security #271), replaying an old cookie or dropping cookies (a
 * counter kept client-side), or a server restart (a counter kept in memory).
 * twostep keeps the counter per user in the database, never per flow, cookie
 * or process. Covers SECURITY 7 ("every instance") and 8.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { apiPost, apiStartLogin, enrolTotp } from "../helpers/enrol.js";
import { createSharedTestDatabase } from "../helpers/database.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

function wrongCode(keyBase32: string, now: number): string {
  const right = new Set([-1, 0, 1].map((offset) => codeFor(keyBase32, now, offset)));
  for (let n = 222222; ; n += 1) if (!right.has(String(n))) return String(n);
}

describe("security: lockout survives a restarted login", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("keeps counting when the attacker starts a new API login after each guess", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(30);
    for (let i = 0; i < 5; i++) {
      const flowId = await apiStartLogin(t.app, { email: user.email, password });
      const response = await apiPost(t.app, "/api/login/second-factor", { flowId, code: wrongCode(keyBase32, t.clock.now()) });
      assert.equal(response.statusCode, 401, `guess ${i + 1}`);
    }
    const flowId = await apiStartLogin(t.app, { email: user.email, password });
    const response = await apiPost(t.app, "/api/login/second-factor", { flowId, code: codeFor(keyBase32, t.clock.now()) });
    assert.equal(response.statusCode, 429, "a new flow with the right code is still locked");
    assert.equal(response.json().code, "locked_out");
  });

  it("keeps counting when the browser re-enters the password on the login page", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(30);
    const browser = new FormClient(t.app);
    for (let i = 0; i < 5; i++) {
      await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
      const response = await browser.post("/login/two-factor", { code: wrongCode(keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
      assert.equal(response.statusCode, 401, `guess ${i + 1}`);
    }
    const restarted = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(restarted.headers.location, "/login/two-factor", "the password step still works: the lock is on the second factor only");
    const response = await browser.post("/login/two-factor", { code: codeFor(keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.statusCode, 429);
  });

  it("cannot be reset by replaying old cookies or by starting with no cookies at all", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(30);
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    await browser.get("/login/two-factor");
    const cookiesBeforeAnyFailure = new Map(browser.cookies);
    for (let i = 0; i < 5; i++) {
      const response = await browser.post("/login/two-factor", { code: wrongCode(keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
      assert.equal(response.statusCode, 401);
    }

    // Replaying the cookies from before the first failure.
    browser.cookies = new Map(cookiesBeforeAnyFailure);
    let response = await browser.post("/login/two-factor", { code: codeFor(keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.statusCode, 429);

    // A brand-new browser with no cookies, from another address.
    const fresh = new FormClient(t.app, "203.0.113.99");
    await fresh.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    response = await fresh.post("/login/two-factor", { code: codeFor(keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.statusCode, 429);
  });
});

describe("security: lockout survives a server restart", () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "twostep-lockout-"));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it("keeps the counter and the lock in the database across a new app on the same database", async () => {
    const shared = await createSharedTestDatabase(directory);
    try {
      const first = await createTestApp({ shared });
      const { user, password, keyBase32 } = await enrolTotp(first.deps);
      first.clock.advance(30);
      // Three failures, then the "server" restarts.
      for (let i = 0; i < 3; i++) {
        const flowId = await apiStartLogin(first.app, { email: user.email, password });
        assert.equal((await apiPost(first.app, "/api/login/second-factor", { flowId, code: wrongCode(keyBase32, first.clock.now()) })).statusCode, 401);
      }
      const stoppedAt = first.clock.now();
      await first.close();

      const second = await createTestApp({ shared });
      try {
        second.clock.current = stoppedAt;
        // Two more failures reach the limit of 5 only if the first three were kept.
        for (let i = 0; i < 2; i++) {
          const flowId = await apiStartLogin(second.app, { email: user.email, password });
          assert.equal((await apiPost(second.app, "/api/login/second-factor", { flowId, code: wrongCode(keyBase32, second.clock.now()) })).statusCode, 401);
        }
        const flowId = await apiStartLogin(second.app, { email: user.email, password });
        const locked = await apiPost(second.app, "/api/login/second-factor", { flowId, code: codeFor(keyBase32, second.clock.now()) });
        assert.equal(locked.statusCode, 429);
      } finally {
        await second.close();
      }

      // And the lock itself survives another restart.
      const third = await createTestApp({ shared });
      try {
        third.clock.current = stoppedAt + 10_000;
        const flowId = await apiStartLogin(third.app, { email: user.email, password });
        assert.equal((await apiPost(third.app, "/api/login/second-factor", { flowId, code: codeFor(keyBase32, third.clock.now()) })).statusCode, 429);
        third.clock.advance(61);
        assert.equal((await apiPost(third.app, "/api/login/second-factor", { flowId, code: codeFor(keyBase32, third.clock.now()) })).statusCode, 200);
      } finally {
        await third.close();
      }
    } finally {
      await shared.close();
    }
  });
});
