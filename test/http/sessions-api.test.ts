/**
 * Issue 17 items 4 and 5 through the JSON API: /api/me/sessions lists the
 * caller's live sessions with browser, OS, address and times and marks "this
 * one"; DELETE ends one (only the caller's own) and "everywhere else" (after a
 * fresh step-up); an admin lists and ends a user's sessions as the access
 * table allows; "last active" moves at most once a minute; a browser new to
 * the user sends the new sign-in email (through the outbox), a known one and a
 * trusted one do not, and the policy can turn it off.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError } from "../helpers/api-client.js";
import { addUser } from "../helpers/manage-users.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { apiGet, apiLoginWithCode, apiPost, apiStartLogin, enrolTotp } from "../helpers/enrol.js";
import { codeFor, wrongCodeFor } from "../helpers/totp.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tinyMmdb } from "../helpers/mmdb.js";

const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

describe("API: where you're signed in, and the new sign-in email (issue 17)", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function login(email: string, password: string, agent: string, address: string, browserToken?: string) {
    const api = new ApiClient(t.app, address);
    const response = await api.request("POST", "/api/login", { json: { email, password, ...(browserToken ? { browserToken } : {}) }, headers: { "user-agent": agent } });
    assert.equal(response.status, 200, response.raw.body);
    return { token: response.body.sessionToken as string, browserToken: response.body.browserToken as string | undefined };
  }

  const newSignInMail = async (email: string) => (await t.deps.store.messages.listMessages(500)).filter((message) => message.recipient === email && message.kind === "new_sign_in");

  it("lists both sessions with browser, OS and address, ends the other one, and that one is logged out", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const first = await login(user.email, password, chrome, "203.0.113.10");
    t.clock.advance(5);
    const second = await login(user.email, password, firefox, "198.51.100.20");
    const api = new ApiClient(t.app);
    const listed = await api.get("/api/me/sessions", first.token);
    assert.equal(listed.status, 200, listed.raw.body);
    assert.equal(listed.body.sessions.length, 2);
    const [mine, other] = listed.body.sessions;
    assert.deepEqual({ browser: mine.browser, os: mine.os, address: mine.address, current: mine.current, place: mine.place }, { browser: "Chrome 131", os: "Linux", address: "203.0.113.10", current: true, place: null });
    assert.deepEqual({ browser: other.browser, os: other.os, address: other.address, current: other.current }, { browser: "Firefox 128", os: "Windows", address: "198.51.100.20", current: false });
    assert.ok(!listed.raw.body.includes(first.token) && !listed.raw.body.includes(second.token), "no token in the list");

    const ended = await api.request("DELETE", `/api/me/sessions/${other.id}`, { token: first.token });
    assert.deepEqual([ended.status, ended.body], [200, { ended: 1 }]);
    assertApiError(await api.get("/api/me/sessions", second.token), 401, "not_authenticated");
    assertApiError(await api.request("DELETE", `/api/me/sessions/${other.id}`, { token: first.token }), 404, "not_found", "sessionId");
    assert.equal((await api.get("/api/me/sessions", first.token)).body.sessions.length, 1);
    const events = await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 50 });
    assert.ok(events.some((event) => event.type === "session.ended" && event.detail.sessionId === other.id && event.detail.current === false));
  });

  it("answers at the issue's own address too: /api/v1/sessions lists, and ends one, like /api/me/sessions", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const first = await login(user.email, password, chrome, "203.0.113.16");
    const second = await login(user.email, password, firefox, "203.0.113.17");
    const api = new ApiClient(t.app);
    const listed = await api.get("/api/v1/sessions", first.token);
    assert.equal(listed.status, 200, listed.raw.body);
    assert.deepEqual(listed.body, (await api.get("/api/me/sessions", first.token)).body);
    const other = listed.body.sessions.find((row: { current: boolean }) => !row.current);
    const ended = await api.request("DELETE", `/api/v1/sessions/${other.id}`, { token: first.token });
    assert.deepEqual([ended.status, ended.body], [200, { ended: 1 }]);
    assertApiError(await api.get("/api/v1/sessions", second.token), 401, "not_authenticated");
    const third = await login(user.email, password, firefox, "203.0.113.18");
    const elsewhere = await api.request("DELETE", "/api/v1/sessions", { token: first.token });
    assert.deepEqual([elsewhere.status, elsewhere.body], [200, { ended: 1 }], "just signed in: the step-up is fresh");
    assertApiError(await api.get("/api/v1/sessions", third.token), 401, "not_authenticated");
  });

  it("never ends another user's session; a bad id names the field", async () => {
    const owner = await seedUser(t.deps, { kind: "reseller" });
    const stranger = await seedUser(t.deps, { kind: "reseller" });
    const ownerSession = await login(owner.user.email, owner.password, chrome, "203.0.113.11");
    const strangerSession = await login(stranger.user.email, stranger.password, chrome, "203.0.113.12");
    const api = new ApiClient(t.app);
    const [ownerRow] = (await api.get("/api/me/sessions", ownerSession.token)).body.sessions;
    assertApiError(await api.request("DELETE", `/api/me/sessions/${ownerRow.id}`, { token: strangerSession.token }), 404, "not_found", "sessionId");
    assert.equal((await api.get("/api/me/sessions", ownerSession.token)).status, 200, "still signed in");
    assertApiError(await api.request("DELETE", "/api/me/sessions/not%20an%20id", { token: ownerSession.token }), 400, "invalid_request", "sessionId");
  });

  it("'everywhere else' needs a fresh step-up, then ends every other session and keeps this one", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const first = await login(user.email, password, chrome, "203.0.113.13");
    const second = await login(user.email, password, firefox, "203.0.113.14");
    const third = await login(user.email, password, firefox, "203.0.113.15");
    const api = new ApiClient(t.app);
    t.clock.advance(t.deps.config.stepUpMinutes * 60 + 1);
    assertApiError(await api.request("DELETE", "/api/me/sessions", { token: first.token }), 403, "step_up_required");
    assert.equal((await api.get("/api/me/sessions", second.token)).status, 200, "nothing ended");
    const fresh = await login(user.email, password, chrome, "203.0.113.13");
    const ended = await api.request("DELETE", "/api/me/sessions", { token: fresh.token });
    assert.deepEqual([ended.status, ended.body], [200, { ended: 3 }]);
    for (const gone of [first, second, third]) assertApiError(await api.get("/api/me/sessions", gone.token), 401, "not_authenticated");
    assert.equal((await api.get("/api/me/sessions", fresh.token)).body.sessions.length, 1);
    const events = await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 50 });
    assert.ok(events.some((event) => event.type === "session.others_ended" && event.detail.count === 3));
  });

  it("'last active' moves at most once a minute", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const first = await login(user.email, password, chrome, "203.0.113.16");
    const signedIn = t.clock.now();
    const api = new ApiClient(t.app);
    const lastActive = async () => Date.parse((await api.get("/api/me/sessions", first.token)).body.sessions[0].lastActiveAt);
    t.clock.advance(30);
    assert.equal(await lastActive(), signedIn, "30 s later: not written");
    t.clock.advance(31);
    const marked = t.clock.now();
    assert.equal(await lastActive(), marked, "61 s later: written once");
    t.clock.advance(59);
    assert.equal(await lastActive(), marked, "59 s after that: not again");
  });

  it("a wrong code at the second step reads no session and marks none active (the bench's wrong-code path pays nothing for 'last active')", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "reseller" });
    const credentials = { email: enrolled.user.email, password: enrolled.password };
    t.clock.advance(31);
    const token = await apiLoginWithCode(t.app, credentials, codeFor(enrolled.keyBase32, t.clock.now()));
    t.clock.advance(61);
    const flowId = await apiStartLogin(t.app, credentials);
    const sessions = t.deps.store.sessions;
    const { findLiveSession, touchSession } = sessions;
    const calls: string[] = [];
    sessions.findLiveSession = (...args) => (calls.push("findLiveSession"), findLiveSession(...args));
    sessions.touchSession = (...args) => (calls.push("touchSession"), touchSession(...args));
    try {
      const wrong = await apiPost(t.app, "/api/login/second-factor", { flowId, code: wrongCodeFor(enrolled.keyBase32, t.clock.now()) }, { token });
      assert.equal(wrong.statusCode, 401, wrong.body);
      assert.deepEqual(calls, [], "the wrong code, even with a stale session's token beside it");
      assert.equal((await apiGet(t.app, "/api/me/sessions", { token })).statusCode, 200);
      assert.deepEqual(calls, ["findLiveSession", "touchSession"], "a session route reads the session and marks it, a minute on");
    } finally {
      Object.assign(sessions, { findLiveSession, touchSession });
    }
  });

  it("an admin lists and ends a user's sessions as the table allows; a member cannot; an admin of another account cannot", async () => {
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const alice = await addUser(t.deps, admin.user.accountId, { email: `alice-${Date.now()}@example.test`, displayName: "Alice" });
    const outsider = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const adminSession = await login(admin.user.email, admin.password, chrome, "203.0.113.17");
    const aliceSession = await login(alice.user.email, alice.password, firefox, "203.0.113.18");
    const outsiderSession = await login(outsider.user.email, outsider.password, chrome, "203.0.113.19");
    const api = new ApiClient(t.app);

    const listed = await api.get(`/api/admin/users/${alice.user.id}/sessions`, adminSession.token);
    assert.equal(listed.status, 200, listed.raw.body);
    assert.deepEqual(listed.body.sessions.map((session: any) => [session.browser, session.current]), [["Firefox 128", false]]);
    assertApiError(await api.get(`/api/admin/users/${alice.user.id}/sessions`, outsiderSession.token), 403, "forbidden");
    assertApiError(await api.get(`/api/admin/users/${admin.user.id}/sessions`, aliceSession.token), 403, "forbidden");
    assertApiError(await api.request("DELETE", `/api/admin/users/${alice.user.id}/sessions`, { token: outsiderSession.token }), 403, "forbidden");
    assert.equal((await api.get("/api/me/sessions", aliceSession.token)).status, 200, "the refusals ended nothing");

    const ended = await api.request("DELETE", `/api/admin/users/${alice.user.id}/sessions`, { token: adminSession.token });
    assert.deepEqual([ended.status, ended.body], [200, { ended: 1 }]);
    assertApiError(await api.get("/api/me/sessions", aliceSession.token), 401, "not_authenticated");
    const events = await t.deps.store.events.listEvents({ subjectUserId: alice.user.id, limit: 50 });
    assert.ok(events.some((event) => event.type === "session.all_ended" && event.actorUserId === admin.user.id && event.detail.count === 1));
  });

  it("emails a new browser through the outbox, not a known one, and not when the policy turns it off", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const first = await login(user.email, password, chrome, "203.0.113.20");
    const mail = await newSignInMail(user.email);
    assert.equal(mail.length, 1, "the first browser is new");
    assert.equal(mail[0]!.subject, "New sign-in to your account");
    assert.match(mail[0]!.textBody, /Chrome 131 on Linux/);
    assert.match(mail[0]!.textBody, /203\.0\.113\.20/);
    assert.match(mail[0]!.textBody, /http:\/\/localhost:3000\/settings\/sessions/);
    assert.ok(!mail[0]!.textBody.includes(first.token) && !mail[0]!.textBody.includes(first.browserToken!), "nothing secret");

    await login(user.email, password, chrome, "203.0.113.20", first.browserToken);
    assert.equal((await newSignInMail(user.email)).length, 1, "a known browser sends nothing");
    await login(user.email, password, firefox, "203.0.113.21");
    assert.equal((await newSignInMail(user.email)).length, 2, "another new browser does");

    const quiet = await seedUser(t.deps, { kind: "reseller", policy: { newSignInEmail: false } });
    await login(quiet.user.email, quiet.password, chrome, "203.0.113.22");
    assert.equal((await newSignInMail(quiet.user.email)).length, 0, "the policy turned it off");
    const events = await t.deps.store.events.listEvents({ subjectUserId: quiet.user.id, limit: 20 });
    assert.ok(events.some((event) => event.type === "login.new_browser" && event.detail.browser === "Chrome 131"), "still recorded");
  });

  it("with TWOSTEP_GEOIP_DB, the list and the email name the approximate place", async () => {
    const directory = mkdtempSync(join(tmpdir(), "twostep-geoip-"));
    const path = join(directory, "city.mmdb");
    writeFileSync(path, tinyMmdb([203, 0, 113], { city: { names: { en: "Berlin" } }, country: { iso_code: "DE", names: { en: "Germany" } } }));
    const geo = await createTestApp({ env: { TWOSTEP_GEOIP_DB: path } });
    try {
      const { user, password } = await seedUser(geo.deps, { kind: "reseller" });
      const api = new ApiClient(geo.app, "203.0.113.9");
      const token = (await api.request("POST", "/api/login", { json: { email: user.email, password }, headers: { "user-agent": chrome } })).body.sessionToken;
      const [session] = (await api.get("/api/me/sessions", token)).body.sessions;
      assert.deepEqual([session.place, session.address], ["Berlin, Germany", "203.0.113.9"]);
      const [mail] = (await geo.deps.store.messages.listMessages(50)).filter((message) => message.recipient === user.email && message.kind === "new_sign_in");
      assert.match(mail!.textBody, /Chrome 131 on Linux, near Berlin, Germany \(approximate\)/);
    } finally {
      await geo.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
