/**
 * L7 "Remember this browser" through the JSON API: `rememberBrowser: true` on
 * the second factor sets the HttpOnly cookie (the token is in no body);
 * /api/login with it skips the second step; /api/me/browsers lists, forgets
 * one (only the user's own) and forgets all.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, nextCode } from "../helpers/api-client.js";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { apiLoginWithCookie, trustedCookieOf } from "../helpers/trusted-browser.js";

const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

describe("API: remember this browser (L7)", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  /** Both steps through the API, the box ticked: the cookie's value and the session. */
  async function rememberedLogin(enrolled: EnrolledUser): Promise<{ cookie: string; sessionToken: string; raw: string }> {
    const api = new ApiClient(t.app);
    const flowId = await api.flowFor(enrolled.user.email, enrolled.password);
    const response = await api.request("POST", "/api/login/second-factor", { json: { flowId, code: nextCode(enrolled.keyBase32, t.clock), rememberBrowser: true }, headers: { "user-agent": firefox } });
    assert.equal(response.status, 200, response.raw.body);
    const cookie = trustedCookieOf(response.raw);
    assert.ok(cookie, "the cookie is set");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Lax");
    assert.equal(cookie.path, "/");
    assert.equal(cookie.maxAge, 30 * 86_400);
    return { cookie: cookie.value, sessionToken: response.body.sessionToken, raw: response.raw.body };
  }

  it("remembers, skips the second step with the cookie, lists, forgets one and all", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const first = await rememberedLogin(enrolled);
    assert.doesNotMatch(first.raw, new RegExp(first.cookie), "the token is not in the body");
    const skipped = await apiLoginWithCookie(t.app, enrolled, first.cookie);
    assert.equal(skipped.body.status, "authenticated", skipped.raw.body);
    assert.equal((await apiLoginWithCookie(t.app, enrolled, null)).body.status, "second_factor_required", "without the cookie: the second step");

    const security = await new ApiClient(t.app).get("/api/me/security", first.sessionToken);
    assert.equal(security.body.policy.rememberBrowserDays, 30, "the client can say how long the box lasts");
    const listed = await new ApiClient(t.app).get("/api/me/browsers", first.sessionToken);
    assert.equal(listed.status, 200, listed.raw.body);
    assert.equal(listed.body.browsers.length, 1);
    const [browser] = listed.body.browsers;
    assert.equal(browser.label, "Firefox on Linux");
    assert.equal(Date.parse(browser.expiresAt) - Date.parse(browser.rememberedAt), 30 * 86_400_000);
    assert.doesNotMatch(listed.raw.body, new RegExp(first.cookie));

    const forgotten = await new ApiClient(t.app).request("DELETE", `/api/me/browsers/${browser.id}`, { token: first.sessionToken });
    assert.deepEqual([forgotten.status, forgotten.body], [200, { forgotten: 1 }]);
    assertApiError(await new ApiClient(t.app).request("DELETE", `/api/me/browsers/${browser.id}`, { token: first.sessionToken }), 404, "not_found");
    assert.equal((await apiLoginWithCookie(t.app, enrolled, first.cookie)).body.status, "second_factor_required", "a forgotten browser asks again");

    const again = await rememberedLogin(enrolled);
    await rememberedLogin(enrolled);
    const all = await new ApiClient(t.app).request("DELETE", "/api/me/browsers", { token: again.sessionToken });
    assert.deepEqual([all.status, all.body], [200, { forgotten: 2 }]);
    assert.equal((await apiLoginWithCookie(t.app, enrolled, again.cookie)).body.status, "second_factor_required");
    const events = await t.deps.store.events.listEvents({ subjectUserId: enrolled.user.id, limit: 50 });
    assert.deepEqual(events.filter((event) => event.type === "browser.forgotten").map((event) => event.detail.reason), ["forget_all", "forgotten"]);
  });

  it("one user cannot forget another's browser; bad input names the field", async () => {
    const owner = await enrolTotp(t.deps, { kind: "customer" });
    const other = await enrolTotp(t.deps, { kind: "customer" });
    const { sessionToken } = await rememberedLogin(owner);
    const [browser] = (await new ApiClient(t.app).get("/api/me/browsers", sessionToken)).body.browsers;
    const otherSession = (await rememberedLogin(other)).sessionToken;
    assertApiError(await new ApiClient(t.app).request("DELETE", `/api/me/browsers/${browser.id}`, { token: otherSession }), 404, "not_found");
    assert.equal((await new ApiClient(t.app).get("/api/me/browsers", sessionToken)).body.browsers.length, 1, "still there");
    assertApiError(await new ApiClient(t.app).request("DELETE", "/api/me/browsers/not-a-browser", { token: sessionToken }), 400, "invalid_request", "browserId");
    const api = new ApiClient(t.app);
    const flowId = await api.flowFor(owner.user.email, owner.password);
    assertApiError(await api.post("/api/login/second-factor", { flowId, code: nextCode(owner.keyBase32, t.clock), rememberBrowser: "yes" }), 400, "invalid_request", "rememberBrowser");
    assertApiError(await new ApiClient(t.app).get("/api/me/browsers"), 401, "not_authenticated");
  });

  it("a reseller user (policy off) ticking the box gets no cookie", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "reseller" });
    const api = new ApiClient(t.app);
    const flowId = await api.flowFor(enrolled.user.email, enrolled.password);
    const response = await api.post("/api/login/second-factor", { flowId, code: nextCode(enrolled.keyBase32, t.clock), rememberBrowser: true });
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(trustedCookieOf(response.raw), undefined);
  });
});
