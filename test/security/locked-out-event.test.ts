/**
 * Threat: a silent attack. Someone who has the user's password keeps failing
 * the second factor until the account locks, and the user never learns that
 * their password is known — so they never change it. twostep writes each
 * failed second factor and the lockout to the user's event log (which the user
 * sees in the API and on the security page), with time and client address and
 * without the code. Covers SECURITY 12 and 34, A4 ("lockouts" are events).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { apiGet, apiLoginWithCode, apiPost, apiSessionFor, apiStartLogin, enrolTotp } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor, wrongCodeFor } from "../helpers/totp.js";

interface EventBody {
  type: string;
  createdAt: string;
  clientAddress: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
}

describe("security: the user is told about a lockout", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  /** A guaranteed wrong code for the ±1 window at the test clock's now. */
  const wrongCode = (keyBase32: string) => wrongCodeFor(keyBase32, t.clock.now());

  const count = (events: { type: string }[], type: string) => events.filter((event) => event.type === type).length;

  it("records each failed code and one lockout, and shows them to the user after the next login", async () => {
    const enrolled = await enrolTotp(t.deps);
    const credentials = { email: enrolled.user.email, password: enrolled.password };
    t.clock.advance(30);
    const flowId = await apiStartLogin(t.app, credentials, "192.0.2.200");
    const tried: string[] = [];
    for (let i = 0; i < 5; i++) {
      const code = wrongCode(enrolled.keyBase32);
      tried.push(code);
      const response = await t.app.inject({
        method: "POST",
        url: "/api/login/second-factor",
        payload: { flowId, code },
        headers: { "user-agent": "attacker-tool/1.0" },
        remoteAddress: "192.0.2.200",
      });
      assert.equal(response.statusCode, 401);
    }
    // Refused attempts while locked add nothing new.
    for (let i = 0; i < 3; i++) assert.equal((await apiPost(t.app, "/api/login/second-factor", { flowId, code: wrongCode(enrolled.keyBase32) }, { address: "192.0.2.200" })).statusCode, 429);

    const stored = await t.deps.store.events.listEvents({ subjectUserId: enrolled.user.id, limit: 100 });
    assert.equal(count(stored, "login.second_factor_failed"), 5);
    assert.equal(count(stored, "login.locked_out"), 1);

    // The user logs in once the lock has passed and reads the log.
    t.clock.advance(61);
    const token = await apiLoginWithCode(t.app, credentials, codeFor(enrolled.keyBase32, t.clock.now()), "198.51.100.200");
    const response = await apiGet(t.app, "/api/me/events", { token });
    assert.equal(response.statusCode, 200);
    const events = response.json().events as EventBody[];
    assert.equal(count(events, "login.second_factor_failed"), 5);
    assert.equal(count(events, "login.locked_out"), 1);
    for (const event of events.filter((entry) => entry.type.startsWith("login.second_factor_failed") || entry.type === "login.locked_out")) {
      assert.equal(event.clientAddress, "192.0.2.200", "who tried is recorded");
      assert.equal(event.createdAt, new Date(t.clock.now() - 61_000).toISOString());
    }
    const failed = events.find((event) => event.type === "login.second_factor_failed")!;
    assert.equal(failed.userAgent, "attacker-tool/1.0");
    assert.deepEqual(failed.detail, { factor: "totp" });
    const body = JSON.stringify(events);
    for (const code of tried) assert.doesNotMatch(body, new RegExp(`(?<!\\d)${code}(?!\\d)`), "no code in the event log");

    // And the security page says it in words.
    const browser = new FormClient(t.app);
    t.clock.advance(30);
    await browser.post("/login", credentials, { csrfFrom: "/login" });
    await browser.post("/login/two-factor", { code: codeFor(enrolled.keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    const page = await browser.get("/settings/security");
    assert.match(page.body, /Two-factor login locked after repeated failures/);
    assert.match(page.body, /Wrong two-factor code entered/);
  });

  it("records recovery-code failures and the lockout they cause", async () => {
    const enrolled = await enrolTotp(t.deps);
    const flowId = await apiStartLogin(t.app, { email: enrolled.user.email, password: enrolled.password });
    for (let i = 0; i < 5; i++) {
      assert.equal((await apiPost(t.app, "/api/login/recovery-code", { flowId, code: `ZZZZ-ZZZZ-ZZZZ-ZZ${i}Z` })).statusCode, 401);
    }
    const stored = await t.deps.store.events.listEvents({ subjectUserId: enrolled.user.id, limit: 100 });
    const failed = stored.filter((event) => event.type === "login.second_factor_failed");
    assert.equal(failed.length, 5);
    assert.ok(failed.every((event) => event.detail.factor === "recovery_code"));
    assert.equal(count(stored, "login.locked_out"), 1);
  });

  it("records the lockout when wrong passwords at a settings re-check cause it", async () => {
    const enrolled = await enrolTotp(t.deps);
    t.clock.advance(30);
    const token = await apiLoginWithCode(t.app, { email: enrolled.user.email, password: enrolled.password }, codeFor(enrolled.keyBase32, t.clock.now()));
    for (let i = 0; i < 5; i++) {
      assert.equal((await apiPost(t.app, "/api/me/two-factor/disable", { password: "not my password!" }, { token })).statusCode, 401);
    }
    const events = (await apiGet(t.app, "/api/me/events", { token })).json().events as EventBody[];
    assert.equal(count(events, "login.locked_out"), 1);
  });

  it("records the lockout when wrong enrolment codes cause it", async () => {
    const { user, password } = await seedUser(t.deps);
    const token = await apiSessionFor(t.app, { email: user.email, password });
    const setup = (await apiPost(t.app, "/api/me/two-factor/totp", { password }, { token })).json() as { methodId: string; key: string };
    for (let i = 0; i < 5; i++) {
      const response = await apiPost(t.app, `/api/me/two-factor/totp/${setup.methodId}/confirm`, { code: wrongCode(setup.key) }, { token });
      assert.equal(response.statusCode, 401);
    }
    // The lock also blocks this user's next login; the log must say why.
    const events = (await apiGet(t.app, "/api/me/events", { token })).json().events as EventBody[];
    assert.equal(count(events, "login.locked_out"), 1);
  });
});
