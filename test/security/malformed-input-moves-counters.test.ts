/**
 * Threat: malformed input that moves the attempt counters. A page login with a
 * NUL in the email, or with a malformed URL encoding in the form, answered 401
 * `invalid_credentials` and counted a failed password (per address and per
 * account: junk sent under someone's email slowed that user down, and the event
 * log said a password was tried). Malformed input is a 400 naming the problem
 * and changes nothing: no counter, no event, no row — on the pages and the API.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { errorMessage, type ErrorCode } from "../../src/domain/errors.js";
import { escapeHtml } from "../../src/http/pages/html.js";
import { ApiClient, assertApiError, assertChangesNothing, createObservedTestApp, type ObservedTestApp } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { enrolTotpFor } from "../helpers/enrol.js";
import { seedUser } from "../helpers/runtime.js";

function assertPageError(response: LightMyRequestResponse, code: ErrorCode) {
  assert.equal(response.statusCode, 400, response.body.slice(0, 300));
  assert.ok(response.body.includes(escapeHtml(errorMessage(code))), `the page says: ${errorMessage(code)}`);
}

describe("malformed input is a 400 naming the problem, and moves no counter", () => {
  let t: ObservedTestApp;
  let api: ApiClient;
  let person: { email: string; password: string };
  before(async () => {
    t = await createObservedTestApp();
    api = new ApiClient(t.app);
    const seeded = await seedUser(t.deps);
    person = { email: seeded.user.email, password: seeded.password };
  });
  after(() => t.close());

  /** A browser's CSRF token and a way to POST a raw url-encoded body to /login with its cookies. */
  async function loginPoster() {
    const browser = new FormClient(t.app);
    const csrf = await browser.csrfFor("/login");
    const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const post = (payload: string | Buffer) =>
      t.app.inject({ method: "POST", url: "/login", payload, headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, remoteAddress: "203.0.113.77" });
    return { csrf: encodeURIComponent(csrf), post };
  }

  it("page login: a NUL (or another control character) in the email is 400 invalid_email, nothing counted", async () => {
    for (const email of [`${person.email}\u0000`, `\u0000${person.email}`, person.email.replace("@", "\u0000@"), person.email.replace("@", "\u0007@")]) {
      const browser = new FormClient(t.app, "203.0.113.77");
      const csrf = await browser.csrfFor("/login");
      await assertChangesNothing(t, async () => assertPageError(await browser.post("/login", { email, password: person.password }, { csrf }), "invalid_email"));
    }
  });

  it("page login: a malformed URL encoding is 400 malformed_encoding, nothing counted", async () => {
    const encoded = encodeURIComponent(person.email);
    for (const broken of [`${encoded}%ZZ`, `${encoded}%`, `${encoded}%E0%A4`, `${encoded}%C3%28`, `${encoded}%FF`]) {
      const { csrf, post } = await loginPoster();
      const payload = `_csrf=${csrf}&email=${broken}&password=${encodeURIComponent(person.password)}`;
      await assertChangesNothing(t, async () => assertPageError(await post(payload), "malformed_encoding"));
    }
  });

  it("page login: bytes that are not UTF-8 in the form are 400 malformed_encoding, nothing counted", async () => {
    const { csrf, post } = await loginPoster();
    const payload = Buffer.concat([Buffer.from(`_csrf=${csrf}&email=`), Buffer.from([0xff, 0xfe]), Buffer.from(`${person.email}&password=x`)]);
    await assertChangesNothing(t, async () => assertPageError(await post(payload), "malformed_encoding"));
  });

  it("API login: an email that is not one mailbox is 400 invalid_email, nothing counted", async () => {
    for (const email of [`${person.email}\u0000`, person.email.replace("@", "\u0000@"), "not an email", `${person.email},someone@example.test`]) {
      await assertChangesNothing(t, async () => assertApiError(await api.post("/api/login", { email, password: person.password }), 400, "invalid_email", "email"));
    }
  });

  it("API: malformed second-step, recovery-code, step-up and reset bodies are 400 and count nothing", async () => {
    const enrolled = await enrolTotpFor(t.deps, (await seedUser(t.deps)).user, "correct horse battery");
    const flowId = await api.flowFor(enrolled.user.email, enrolled.password);
    const cases: [string, unknown, number, ErrorCode][] = [
      ["/api/login/second-factor", { flowId, code: "12345x" }, 400, "invalid_code_format"],
      ["/api/login/second-factor", { flowId, code: 123456 }, 400, "invalid_request"],
      ["/api/login/second-factor", { flowId, code: "123456\u0000" }, 400, "invalid_code_format"],
      ["/api/login/second-factor", { flowId, code: "123456", extra: 1 }, 400, "unknown_field"],
      ["/api/login/recovery-code", { flowId, code: "not-a-code\u0000" }, 400, "invalid_recovery_code_format"],
      ["/api/login", { email: person.email }, 400, "invalid_request"],
      ["/api/login", { email: [person.email], password: person.password }, 400, "invalid_request"],
      ["/api/password-reset/request", { email: `${person.email}\u0000` }, 400, "invalid_email"],
    ];
    for (const [url, body, status, code] of cases) {
      await assertChangesNothing(t, async () => {
        const response = await api.post(url, body);
        assert.equal(response.status, status, `${url} ${JSON.stringify(body)}: ${response.raw.body}`);
        assert.equal(response.body.code, code, `${url} ${JSON.stringify(body)}`);
      });
    }
    await assertChangesNothing(t, async () => {
      const response = await api.request("POST", "/api/login", { payload: '{"email":"a@b.test","password":', contentType: "application/json" });
      assert.equal(response.status, 400);
    });
  });
});
