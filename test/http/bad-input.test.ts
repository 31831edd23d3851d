import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { errorMessage, type ErrorCode } from "../../src/domain/errors.js";
import { escapeHtml } from "../../src/http/pages/html.js";
import { createToken } from "../../src/security/tokens.js";
import { userKey } from "../../src/services/throttle/throttle.js";
import {
  ApiClient,
  assertApiError,
  assertChangesNothing,
  createObservedTestApp,
  diffSnapshots,
  nextCode,
  type ObservedTestApp,
} from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { seedUser } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

/**
 * Bad input gets a clear 4xx with a catalogue code and changes nothing (SPEC,
 * "Properties every part keeps"): every case below compares every database row
 * before and after. Covers SECURITY 5 (format first), 6 (a pending login is
 * bound to its user), 22 (another user's recovery code), 28 (a flowId is not a
 * session), 32 (no password as an API credential), CSRF on every page POST,
 * L4 (expired pending login), closed request bodies, body size and content type.
 */

interface Person {
  id: string;
  email: string;
  password: string;
  token: string;
}
interface EnrolledPerson extends Person {
  key: string;
  methodId: string;
  recoveryCodes: string[];
}

function assertPageError(response: LightMyRequestResponse, status: number, code: ErrorCode) {
  assert.equal(response.statusCode, status, response.body.slice(0, 400));
  assert.match(String(response.headers["content-type"]), /^text\/html/);
  assert.ok(response.body.includes(escapeHtml(errorMessage(code))), `the page says: ${errorMessage(code)}`);
}

const cookieHeader = (browser: FormClient) => [...browser.cookies].map(([name, value]) => `${name}=${value}`).join("; ");

describe("bad input: a clear 4xx, and nothing changes", () => {
  let t: ObservedTestApp;
  let api: ApiClient;

  async function person(): Promise<Person> {
    const { user, password } = await seedUser(t.deps);
    return { id: user.id, email: user.email, password, token: await api.sessionFor(user.email, password) };
  }

  async function enrolledPerson(): Promise<EnrolledPerson> {
    const someone = await person();
    return { ...someone, ...(await api.enrolTotp(someone.token, someone.password, t.clock)) };
  }

  /** A page session for a user without 2FA. */
  async function browserFor(someone: Person): Promise<FormClient> {
    const browser = new FormClient(t.app);
    const response = await browser.post("/login", { email: someone.email, password: someone.password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/settings/security");
    return browser;
  }

  let alice: EnrolledPerson;
  let bob: EnrolledPerson;
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
    alice = await enrolledPerson();
    bob = await enrolledPerson();
  });
  after(() => t.close());

  it("SECURITY 5: malformed codes are 400 invalid_code_format on every code endpoint, before anything is counted", async () => {
    const carol = await person();
    const pending = await api.post("/api/me/two-factor/totp", { password: carol.password }, carol.token);
    const flowId = await api.flowFor(alice.email, alice.password);
    const malformed = ["12345", "1234567", "abcdef", "12 34 5", "１２３４５６", "12345\u0000", "9".repeat(10 * 1024), "x".repeat(10 * 1024)];
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: alice.email, password: alice.password }, { csrfFrom: "/login" });

    await assertChangesNothing(t, async () => {
      for (const code of malformed) {
        assertApiError(await api.post("/api/login/second-factor", { flowId, code }), 400, "invalid_code_format", "code");
        assertApiError(await api.post(`/api/me/two-factor/totp/${pending.body.methodId}/confirm`, { code }, carol.token), 400, "invalid_code_format", "code");
        assertApiError(await api.post("/api/me/recovery-codes", { code }, alice.token), 400, "invalid_code_format", "code");
      }
      for (const code of ["ABCD-EFGH", "ABCD-EFGH-JKMN-PQRSX", "ABCD-EFGH-JKMN-PQR!", "x".repeat(100)]) {
        assertApiError(await api.post("/api/login/recovery-code", { flowId, code }), 400, "invalid_recovery_code_format", "code");
      }
      // The same on the page: the form again, with the message under the field.
      const response = await browser.post("/login/two-factor", { code: "12345" }, { csrfFrom: "/login/two-factor" });
      assertPageError(response, 400, "invalid_code_format");
      assert.match(response.body, /id="field-code-error"/);
    });

    // The flow was not burned and no failure was counted: the right code still completes it.
    const response = await api.post("/api/login/second-factor", { flowId, code: nextCode(alice.key, t.clock) });
    assert.equal(response.status, 200, response.raw.body);
  });

  it("a body over 16 KiB is 413 body_too_large, even with the right credentials", async () => {
    const padding = "x".repeat(17 * 1024);
    const flowId = await api.flowFor(alice.email, alice.password);
    const carol = await person();
    const browser = new FormClient(t.app);
    await assertChangesNothing(t, async () => {
      assertApiError(await api.post("/api/login", { email: carol.email, password: carol.password, padding }), 413, "body_too_large");
      assertApiError(await api.post("/api/login/second-factor", { flowId, code: codeFor(alice.key, t.clock.now(), 1), padding }), 413, "body_too_large");
      assertApiError(await api.post("/api/me/two-factor/disable", { password: alice.password, padding }, alice.token), 413, "body_too_large");
      assertPageError(await browser.post("/login", { email: carol.email, password: carol.password, padding }, { csrfFrom: "/login" }), 413, "body_too_large");
    });
  });

  it("a body that is not JSON (API) or not a form (pages) is 415 unsupported_media_type", async () => {
    const carol = await person();
    const credentials = { email: carol.email, password: carol.password };
    const asForm = new URLSearchParams(credentials).toString();
    const browser = new FormClient(t.app);
    const csrf = await browser.csrfFor("/login");
    await assertChangesNothing(t, async () => {
      const cases: { payload: string; contentType?: string }[] = [
        { payload: JSON.stringify(credentials), contentType: "text/plain" },
        { payload: asForm, contentType: "application/x-www-form-urlencoded" },
        { payload: "<login/>", contentType: "application/xml" },
        { payload: JSON.stringify(credentials) },
      ];
      for (const { payload, contentType } of cases) {
        assertApiError(await api.request("POST", "/api/login", { payload, ...(contentType ? { contentType } : {}) }), 415, "unsupported_media_type");
      }
      for (const [payload, contentType] of [
        [JSON.stringify({ ...credentials, _csrf: csrf }), "application/json"],
        [asForm, "text/plain"],
      ] as const) {
        const response = await t.app.inject({ method: "POST", url: "/login", payload, headers: { "content-type": contentType, cookie: cookieHeader(browser) } });
        assertPageError(response, 415, "unsupported_media_type");
      }
    });
  });

  it("an unknown field is 400 unknown_field naming it; no user id from the client is taken (SECURITY 6)", async () => {
    const flowId = await api.flowFor(bob.email, bob.password);
    const carol = await person();
    const browser = new FormClient(t.app);
    await assertChangesNothing(t, async () => {
      assertApiError(await api.post("/api/login", { email: carol.email, password: carol.password, remember: true }), 400, "unknown_field", "remember");
      assertApiError(await api.post("/api/login/second-factor", { flowId, code: codeFor(alice.key, t.clock.now()), userId: "alice" }), 400, "unknown_field", "userId");
      assertApiError(await api.post("/api/me/two-factor/disable", { password: alice.password, force: true }, alice.token), 400, "unknown_field", "force");
      assertApiError(await api.post("/api/me/recovery-codes", { password: alice.password, count: 100 }, alice.token), 400, "unknown_field", "count");
      assertPageError(await browser.post("/login", { email: carol.email, password: carol.password, admin: "1" }, { csrfFrom: "/login" }), 400, "unknown_field");
    });
  });

  it("a missing field or a wrong type is 400 invalid_request naming the field", async () => {
    const flowId = await api.flowFor(alice.email, alice.password);
    const carol = await person();
    const browser = new FormClient(t.app);
    await assertChangesNothing(t, async () => {
      assertApiError(await api.post("/api/login", { email: carol.email }), 400, "invalid_request", "password");
      assertApiError(await api.post("/api/login", { password: carol.password }), 400, "invalid_request", "email");
      assertApiError(await api.post("/api/login", { email: carol.email, password: 123456789012 }), 400, "invalid_request", "password");
      assertApiError(await api.post("/api/login", { email: [carol.email], password: carol.password }), 400, "invalid_request", "email");
      // Neither a code nor a key's credential: the current method (an app) names what it needs.
      assertApiError(await api.post("/api/login/second-factor", { flowId }), 400, "invalid_code_format", "code");
      assertApiError(await api.post("/api/login/second-factor", { flowId, code: 123456 }), 400, "invalid_request", "code");
      assertApiError(await api.post("/api/login/second-factor", { code: codeFor(alice.key, t.clock.now()) }), 400, "invalid_request", "flowId");
      assertApiError(await api.post("/api/me/two-factor/totp", {}, carol.token), 400, "invalid_request", "password");
      assertApiError(await api.post("/api/login"), 400, "invalid_request");
      assertPageError(await browser.post("/login", { email: carol.email }, { csrfFrom: "/login" }), 400, "invalid_request");
    });
  });

  it("a body that is not valid JSON, or not an object, is 400 invalid_request", async () => {
    const carol = await person();
    const right = `"email":${JSON.stringify(carol.email)},"password":${JSON.stringify(carol.password)}`;
    await assertChangesNothing(t, async () => {
      for (const payload of ["{", `{${right},}`, `{"email": }`, "", "[]", "null", '"text"', `{${right},"__proto__":{"role":"admin"}}`, `{${right},"constructor":{"prototype":{"role":"admin"}}}`]) {
        assertApiError(await api.request("POST", "/api/login", { payload, contentType: "application/json" }), 400, "invalid_request");
      }
    });
  });

  it("L4: an expired, used, unknown or malformed flowId is 401 login_expired", async () => {
    const expiring = await api.flowFor(alice.email, alice.password);
    t.clock.advance(t.config.loginTtlSeconds + 1);
    const used = await api.flowFor(alice.email, alice.password);
    assert.equal((await api.post("/api/login/second-factor", { flowId: used, code: nextCode(alice.key, t.clock) })).status, 200);
    const rightCode = nextCode(alice.key, t.clock);
    const carol = await person();

    await assertChangesNothing(t, async () => {
      assertApiError(await api.post("/api/login/second-factor", { flowId: expiring, code: rightCode }), 401, "login_expired");
      assertApiError(await api.post("/api/login/recovery-code", { flowId: expiring, code: alice.recoveryCodes[0] }), 401, "login_expired");
      for (const flowId of [used, createToken(), carol.token, "not-a-flow", "", "../../../etc/passwd", "A".repeat(64)]) {
        assertApiError(await api.post("/api/login/second-factor", { flowId, code: rightCode }), 401, "login_expired");
        assertApiError(await api.post("/api/login/recovery-code", { flowId, code: alice.recoveryCodes[0] }), 401, "login_expired");
        assertApiError(await api.post("/api/login/method", { flowId, methodId: alice.methodId }), 401, "login_expired");
      }
      assertApiError(await api.post("/api/login/second-factor", { flowId: "A".repeat(65), code: rightCode }), 400, "invalid_request", "flowId");
    });
  });

  it("SECURITY 6, 22: a flowId is bound to its user; another user's code, recovery code or method fails on it", async () => {
    const flowId = await api.flowFor(alice.email, alice.password);
    t.clock.advance(30);
    // A moment where Bob's code is none of the codes Alice's window accepts, so the test cannot pass by luck.
    while ([-1, 0, 1].some((offset) => codeFor(alice.key, t.clock.now(), offset) === codeFor(bob.key, t.clock.now()))) t.clock.advance(30);
    const bobsCode = codeFor(bob.key, t.clock.now());

    await assertChangesNothing(t, async () => {
      assertApiError(await api.post("/api/login/method", { flowId, methodId: bob.methodId }), 400, "invalid_request", "methodId");
      assertApiError(await api.post("/api/login/second-factor", { flowId, code: bobsCode, methodId: bob.methodId }), 400, "invalid_request", "methodId");
    });

    // A wrong code on Alice's login is a failure counted against Alice (SECURITY 7), and nothing else.
    const before = await t.snapshot();
    assertApiError(await api.post("/api/login/second-factor", { flowId, code: bobsCode }), 401, "invalid_code", "code");
    assertApiError(await api.post("/api/login/recovery-code", { flowId, code: bob.recoveryCodes[0] }), 401, "invalid_recovery_code", "code");
    const diff = diffSnapshots(before, await t.snapshot());
    assert.deepEqual(Object.keys(diff).sort(), ["attempt_counters", "events"], "no session, flow, method or recovery code changed");
    assert.deepEqual(
      diff.events!.added.map((event) => [event.type, event.subject_user_id]),
      [
        ["login.second_factor_failed", alice.id],
        ["login.second_factor_failed", alice.id],
      ],
    );
    assert.ok(diff.attempt_counters!.added.some((row) => row.key === userKey(alice.id)), "Alice's counter moved");
    assert.ok(!diff.attempt_counters!.added.some((row) => row.key === userKey(bob.id)), "Bob's counter did not move");

    // Alice's own code still completes her login, and the session is hers.
    const response = await api.post("/api/login/second-factor", { flowId, code: nextCode(alice.key, t.clock) });
    assert.equal(response.status, 200, response.raw.body);
    assert.equal((await api.get("/api/me/security", response.body.sessionToken)).body.user.email, alice.email);
  });

  it("SECURITY 32, 28: the API takes a Bearer session token only, never a password, cookie or flowId", async () => {
    const basic = `Basic ${Buffer.from(`${alice.email}:${alice.password}`).toString("base64")}`;
    const flowId = await api.flowFor(alice.email, alice.password);
    await assertChangesNothing(t, async () => {
      for (const authorization of [basic, `Bearer ${alice.password}`, `Bearer ${flowId}`, alice.token, `Token ${alice.token}`, `Bearer`, `Bearer ${alice.token}x`]) {
        const headers = { authorization };
        assertApiError(await api.request("GET", "/api/me/security", { headers }), 401, "not_authenticated");
        assertApiError(await api.request("POST", "/api/me/recovery-codes", { headers, json: { password: alice.password } }), 401, "not_authenticated");
        assertApiError(await api.request("POST", "/api/me/two-factor/disable", { headers, json: { password: alice.password } }), 401, "not_authenticated");
      }
      const cookie = { cookie: `twostep_session=${alice.token}` };
      assertApiError(await api.request("GET", "/api/me/security", { headers: cookie }), 401, "not_authenticated");
      assertApiError(await api.request("POST", "/api/logout", { headers: cookie }), 401, "not_authenticated");
      assert.equal((await api.get("/api/me/security", alice.token)).status, 200, "the Bearer session itself works");
    });
  });

  it("a page POST without a valid CSRF token is 403 and does nothing", async () => {
    const carol = await person();
    const signedIn = await browserFor(carol);
    const other = new FormClient(t.app);
    const stranger = new FormClient(t.app);
    const strangersToken = await stranger.csrfFor("/login");
    const fresh = new FormClient(t.app);
    await other.get("/login");

    await assertChangesNothing(t, async () => {
      assertPageError(await other.post("/login", { email: carol.email, password: carol.password }, { csrf: null }), 403, "csrf_invalid");
      assertPageError(await other.post("/login", { email: carol.email, password: carol.password }, { csrf: "forged" }), 403, "csrf_invalid");
      assertPageError(await fresh.post("/login", { email: carol.email, password: carol.password }, { csrf: strangersToken }), 403, "csrf_invalid");
      assertPageError(await signedIn.post("/settings/two-factor/setup", { password: carol.password }, { csrf: null }), 403, "csrf_invalid");
      assertPageError(await signedIn.post("/logout", {}, { csrf: null }), 403, "csrf_invalid");
    });
    assert.equal((await signedIn.get("/settings/security")).statusCode, 200, "still logged in");
    assert.equal((await other.get("/settings/security")).headers.location, "/login", "no session was made");
  });

  it("a page POST without CSRF cannot disable 2FA", async () => {
    const dave = await enrolledPerson();
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: dave.email, password: dave.password }, { csrfFrom: "/login" });
    const response = await browser.post("/login/two-factor", { code: nextCode(dave.key, t.clock) }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.headers.location, "/settings/security");

    await assertChangesNothing(t, async () => {
      assertPageError(await browser.post("/settings/two-factor/disable", { password: dave.password }, { csrf: null }), 403, "csrf_invalid");
      assertPageError(await browser.post("/settings/recovery-codes", { password: dave.password }, { csrf: null }), 403, "csrf_invalid");
    });
    assert.equal((await api.get("/api/me/security", dave.token)).body.twoFactorEnabled, true);
  });

  it("an unknown route is 404: JSON not_found under /api, an HTML page elsewhere", async () => {
    await assertChangesNothing(t, async () => {
      for (const [method, url] of [
        ["GET", "/api/nope"],
        ["POST", "/api/me/two-factor/webauthn"],
        ["GET", "/api/login"],
        ["DELETE", "/api/me/security"],
        ["GET", "/api"],
      ] as const) {
        const response = await api.request(method, url, { token: alice.token });
        assertApiError(response, 404, "not_found");
        assert.equal(response.body.message, errorMessage("not_found"));
      }
      for (const url of ["/nope", "/settings/nope", "/login/two-factor/nope"]) {
        const response = await t.app.inject({ method: "GET", url });
        assertPageError(response, 404, "not_found");
        assert.match(response.body, /<h1>Page not found<\/h1>/);
      }
    });
  });

  it("another user's pending authenticator setup is refused as if it did not exist", async () => {
    const carol = await person();
    const begun = await api.post("/api/me/two-factor/totp", { password: carol.password }, carol.token);
    const { methodId, key } = begun.body as { methodId: string; key: string };
    const dave = await person();
    const davesBrowser = await browserFor(dave);
    const setupUrl = `/settings/two-factor/setup/${methodId}`;
    const csrf = await davesBrowser.csrfFor("/settings/two-factor/setup");

    await assertChangesNothing(t, async () => {
      const code = codeFor(key, t.clock.now());
      assertApiError(await api.post(`/api/me/two-factor/totp/${methodId}/confirm`, { code }, dave.token), 410, "enrolment_expired");
      assertApiError(await api.post(`/api/me/two-factor/totp/${methodId}/confirm`, { code }, alice.token), 410, "enrolment_expired");
      assertApiError(await api.post(`/api/me/two-factor/totp/${methodId}/confirm`, { code }), 401, "not_authenticated");
      let response = await davesBrowser.get(setupUrl);
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, "/settings/two-factor/setup?notice=enrolment_expired");
      assert.ok(!response.body.includes(key));
      response = await davesBrowser.post(setupUrl, { code }, { csrf });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, "/settings/two-factor/setup?notice=enrolment_expired");
    });

    // Carol's setup was untouched: her own code finishes it.
    const confirmed = await api.post(`/api/me/two-factor/totp/${methodId}/confirm`, { code: codeFor(key, t.clock.now()) }, carol.token);
    assert.equal(confirmed.status, 200, confirmed.raw.body);
  });
});
