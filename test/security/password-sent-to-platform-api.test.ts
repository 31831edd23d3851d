/**
 * Threat: turning a password into platform API access (SECURITY 32). The
 * platform API never meets a 2FA prompt, so it must never accept what a
 * login takes: Basic auth, a password in a header or the body, a session
 * token, a login flow id, a session cookie. Each is 401 `api_key_required`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError } from "../helpers/api-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("a password sent to the platform API", () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await createTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("Basic auth, a password header or body, a session token, a flow id or a cookie: 401 api_key_required", async () => {
    const { user, password } = await seedUser(t.deps);
    const enrolled = await enrolTotp(t.deps);
    const sessionToken = await api.sessionFor(user.email, password);
    const flowId = await api.flowFor(enrolled.user.email, enrolled.password);
    const basic = `Basic ${Buffer.from(`${user.email}:${password}`).toString("base64")}`;
    const attempts: { name: string; method: "GET" | "POST"; headers?: Record<string, string>; json?: unknown; cookies?: Record<string, string> }[] = [
      { name: "nothing", method: "GET" },
      { name: "Basic auth", method: "GET", headers: { authorization: basic } },
      { name: "password headers", method: "GET", headers: { "x-password": password, "x-email": user.email } },
      { name: "password in the body", method: "POST", json: { email: user.email, password } },
      { name: "Bearer password", method: "GET", headers: { authorization: `Bearer ${password}` } },
      { name: "session token", method: "GET", headers: { authorization: `Bearer ${sessionToken}` } },
      { name: "login flow id", method: "GET", headers: { authorization: `Bearer ${flowId}` } },
      { name: "key-less Bearer prefix", method: "GET", headers: { authorization: "Bearer" } },
    ];
    for (const attempt of attempts) {
      const response = await api.request(attempt.method, "/api/platform/v1/me", { ...(attempt.headers ? { headers: attempt.headers } : {}), ...(attempt.json ? { json: attempt.json } : {}) });
      assertApiError(response, 401, "api_key_required");
      assert.ok(!response.raw.body.includes(user.email), attempt.name);
    }
    const cookie = await t.app.inject({ method: "GET", url: "/api/platform/v1/me", cookies: { twostep_session: sessionToken } });
    assert.equal(cookie.statusCode, 401);
    assert.equal(cookie.json().code, "api_key_required");
    // Nothing was counted as a login attempt or logged as a login: no password was even read.
    const events = await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 20 });
    // (login.new_browser is that same login's: its browser was new to the user, issue 17.)
    assert.equal(events.filter((event) => event.type.startsWith("login.") && event.type !== "login.new_browser" && event.createdAt > 0).length, 1, "only the session login above");
  });

  it("a key-shaped string that is no key is 401 invalid_api_key", async () => {
    assertApiError(await api.get("/api/platform/v1/me", `tsk_abcdefgh${"A".repeat(43)}`), 401, "invalid_api_key");
    assertApiError(await api.get("/api/platform/v1/me", "tsk_short"), 401, "invalid_api_key");
  });
});
