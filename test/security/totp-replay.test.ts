/**
 * Threat: a TOTP code that was accepted once is accepted again while it is
 * still inside the time window — an attacker who shoulder-surfs, phishes or
 * sniffs one code gets a second login with it (Pterodactyl CVE-2025-69197).
 * Covers SECURITY 4 (keep the last accepted step per method, require a strictly
 * greater one, atomically) and L3 ("an accepted code cannot be used again"),
 * on every surface: pages, JSON API, across both, across two server
 * instances on one database, for the enrolment code, and for the step-up
 * check that regenerates recovery codes.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { apiPost, apiStartLogin, enrolTotp } from "../helpers/enrol.js";
import { createSharedTestDatabase } from "../helpers/database.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor, keyFromSetupPage } from "../helpers/totp.js";

describe("security: TOTP replay", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function pageLogin(credentials: { email: string; password: string }, code: string) {
    const browser = new FormClient(t.app);
    const started = await browser.post("/login", credentials, { csrfFrom: "/login" });
    assert.equal(started.headers.location, "/login/two-factor");
    return browser.post("/login/two-factor", { code }, { csrfFrom: "/login/two-factor" });
  }

  async function apiCode(credentials: { email: string; password: string }, code: string) {
    const flowId = await apiStartLogin(t.app, credentials);
    return apiPost(t.app, "/api/login/second-factor", { flowId, code });
  }

  it("refuses an API code a second time in the same window", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(30);
    const code = codeFor(keyBase32, t.clock.now());

    const first = await apiCode({ email: user.email, password }, code);
    assert.equal(first.statusCode, 200);
    t.clock.advance(5); // still the same 30 s step
    const second = await apiCode({ email: user.email, password }, code);
    assert.equal(second.statusCode, 401);
    assert.equal(second.json().code, "invalid_code");
  });

  it("refuses a page code a second time in the same window", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(30);
    const code = codeFor(keyBase32, t.clock.now());

    const first = await pageLogin({ email: user.email, password }, code);
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, "/settings/security");
    const second = await pageLogin({ email: user.email, password }, code);
    assert.equal(second.statusCode, 401);
    assert.doesNotMatch(String(second.headers["set-cookie"] ?? ""), /twostep_session=/, "no session cookie for a replayed code");
  });

  it("refuses a code used on one surface when it is replayed on the other", async () => {
    const apiFirst = await enrolTotp(t.deps);
    t.clock.advance(30);
    let code = codeFor(apiFirst.keyBase32, t.clock.now());
    assert.equal((await apiCode({ email: apiFirst.user.email, password: apiFirst.password }, code)).statusCode, 200);
    assert.equal((await pageLogin({ email: apiFirst.user.email, password: apiFirst.password }, code)).statusCode, 401);

    const pagesFirst = await enrolTotp(t.deps);
    t.clock.advance(30);
    code = codeFor(pagesFirst.keyBase32, t.clock.now());
    assert.equal((await pageLogin({ email: pagesFirst.user.email, password: pagesFirst.password }, code)).statusCode, 303);
    const replayed = await apiCode({ email: pagesFirst.user.email, password: pagesFirst.password }, code);
    assert.equal(replayed.statusCode, 401);
    assert.equal(replayed.json().code, "invalid_code");
  });

  it("refuses a code from an earlier step once a later step was accepted", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(90);
    const now = t.clock.now();
    // The window is ±1 step: the next step's code (a phone clock running fast) is accepted…
    assert.equal((await apiCode({ email: user.email, password }, codeFor(keyBase32, now, +1))).statusCode, 200);
    // …and afterwards the current and previous steps are refused although they are inside the window.
    for (const offset of [0, -1]) {
      const response = await apiCode({ email: user.email, password }, codeFor(keyBase32, now, offset));
      assert.equal(response.statusCode, 401, `step offset ${offset}`);
    }
    // Only a strictly later step works again.
    t.clock.advance(60);
    assert.equal((await apiCode({ email: user.email, password }, codeFor(keyBase32, t.clock.now()))).statusCode, 200);
  });

  it("lets exactly one of two racing requests with the same code through", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(30);
    const code = codeFor(keyBase32, t.clock.now());
    const flows = await Promise.all(Array.from({ length: 4 }, () => apiStartLogin(t.app, { email: user.email, password })));
    const responses = await Promise.all(flows.map((flowId) => apiPost(t.app, "/api/login/second-factor", { flowId, code })));
    assert.deepEqual(responses.map((response) => response.statusCode).sort(), [200, 401, 401, 401]);
  });

  it("refuses the enrolment code at the first login (pages enrolment)", async () => {
    const { user, password } = await seedUser(t.deps);
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const setup = await browser.post("/settings/two-factor/setup", { password }, { csrfFrom: "/settings/two-factor/setup" });
    const setupUrl = String(setup.headers.location);
    const key = keyFromSetupPage((await browser.get(setupUrl)).body);
    const enrolmentCode = codeFor(key, t.clock.now());
    assert.equal((await browser.post(setupUrl, { code: enrolmentCode }, { csrfFrom: setupUrl })).statusCode, 200);
    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });

    t.clock.advance(10); // same step
    const replayed = await pageLogin({ email: user.email, password }, enrolmentCode);
    assert.equal(replayed.statusCode, 401);
    const viaApi = await apiCode({ email: user.email, password }, enrolmentCode);
    assert.equal(viaApi.statusCode, 401);

    t.clock.advance(30);
    assert.equal((await pageLogin({ email: user.email, password }, codeFor(key, t.clock.now()))).statusCode, 303, "the next code works");
  });

  it("refuses the enrolment code at the first login (API enrolment)", async () => {
    const { user, password } = await seedUser(t.deps);
    const login = await apiPost(t.app, "/api/login", { email: user.email, password });
    const token = login.json().sessionToken as string;
    const setup = await apiPost(t.app, "/api/me/two-factor/totp", { password }, { token });
    const { methodId, key } = setup.json() as { methodId: string; key: string };
    const enrolmentCode = codeFor(key, t.clock.now());
    const confirmed = await apiPost(t.app, `/api/me/two-factor/totp/${methodId}/confirm`, { code: enrolmentCode }, { token });
    assert.equal(confirmed.statusCode, 200);

    const replayed = await apiCode({ email: user.email, password }, enrolmentCode);
    assert.equal(replayed.statusCode, 401);
    assert.equal(replayed.json().code, "invalid_code");
  });

  it("refuses a login code replayed as step-up proof for regenerating recovery codes", async () => {
    const { user, password, keyBase32 } = await enrolTotp(t.deps);
    t.clock.advance(30);
    const code = codeFor(keyBase32, t.clock.now());
    const flowId = await apiStartLogin(t.app, { email: user.email, password });
    const login = await apiPost(t.app, "/api/login/second-factor", { flowId, code });
    assert.equal(login.statusCode, 200);
    const token = login.json().sessionToken as string;

    const replayed = await apiPost(t.app, "/api/me/recovery-codes", { code }, { token });
    assert.equal(replayed.statusCode, 401);
    assert.equal(replayed.json().code, "invalid_code");
    t.clock.advance(30);
    const fresh = await apiPost(t.app, "/api/me/recovery-codes", { code: codeFor(keyBase32, t.clock.now()) }, { token });
    assert.equal(fresh.statusCode, 200);
  });
});

describe("security: TOTP replay across server instances", () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "twostep-replay-"));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it("refuses on one instance a code another instance on the same database accepted", async () => {
    const shared = await createSharedTestDatabase(directory);
    const first = await createTestApp({ shared });
    const second = await createTestApp({ shared });
    try {
      const { user, password, keyBase32 } = await enrolTotp(first.deps);
      first.clock.advance(30);
      second.clock.current = first.clock.now();
      const code = codeFor(keyBase32, first.clock.now());

      const flowOnFirst = await apiStartLogin(first.app, { email: user.email, password });
      const flowOnSecond = await apiStartLogin(second.app, { email: user.email, password });
      assert.equal((await apiPost(first.app, "/api/login/second-factor", { flowId: flowOnFirst, code })).statusCode, 200);
      const replayed = await apiPost(second.app, "/api/login/second-factor", { flowId: flowOnSecond, code });
      assert.equal(replayed.statusCode, 401);
      assert.equal(replayed.json().code, "invalid_code");
    } finally {
      await second.close();
      await first.close();
      await shared.close();
    }
  });
});
