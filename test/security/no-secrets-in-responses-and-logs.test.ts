/**
 * Threats: "OTPs in API responses or logs; a TOTP seed re-fetchable after
 * enrolment" (SECURITY, bypasses seen in real products). Anyone who reads the
 * logs, or an error body, or who holds a session later, must not learn a
 * password, the TOTP key, a TOTP code, a recovery code, a session token or a
 * pending-login token. Covers SECURITY 18 ("seed and QR shown during enrolment
 * only; no later API returns them; never logged"), 34 (events without codes
 * or secrets) and the SPEC rule "no secret, code or token in logs or error
 * messages".
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { base32nopad } from "@scure/base";
import { FormClient } from "../helpers/browser-client.js";
import { apiGet, apiPost, apiStartLogin, enrolTotp } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor, keyFromSetupPage, recoveryCodesFromPage } from "../helpers/totp.js";

/** A 6-digit code as its own number: not a piece of a timestamp or a longer digit run. */
function mentionsCode(text: string, code: string): boolean {
  return new RegExp(`(?<![\\d.])${code}(?!\\d)`).test(text);
}

/** Every spelling of a secret someone could log: as given, without spaces or dashes, lower-case. */
function spellings(secret: string): string[] {
  const bare = secret.replace(/[\s-]/g, "");
  return [...new Set([secret, bare, secret.toLowerCase(), bare.toLowerCase()])];
}

class Secrets {
  strings = new Set<string>();
  codes = new Set<string>();
  add(...values: string[]) {
    for (const value of values) for (const spelling of spellings(value)) this.strings.add(spelling);
  }
  addKey(keyBase32: string) {
    const raw = Buffer.from(base32nopad.decode(keyBase32));
    this.add(keyBase32, keyBase32.match(/.{1,4}/g)!.join(" "), raw.toString("hex"), raw.toString("base64"), raw.toString("base64url"));
  }
  addCode(...codes: string[]) {
    for (const code of codes) this.codes.add(code);
  }
  /** The secrets `text` contains, for a readable assertion message. */
  foundIn(text: string): string[] {
    return [...[...this.strings].filter((secret) => text.includes(secret)), ...[...this.codes].filter((code) => mentionsCode(text, code))];
  }
}

describe("security: no secrets in responses and logs", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("logs no password, key, code, recovery code or token over a whole journey, failures included", async () => {
    const logStart = t.logLines.length;
    const serviceLogStart = t.logger.lines.length;
    const secrets = new Secrets();
    const { user, password } = await seedUser(t.deps, { password: "journey password 7f3k" });
    secrets.add(password, "wrong password 9q8z");
    const credentials = { email: user.email, password };

    // Enrol on the pages.
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password: "wrong password 9q8z" }, { csrfFrom: "/login" });
    await browser.post("/login", credentials, { csrfFrom: "/login" });
    secrets.add(browser.cookies.get("twostep_session")!);
    await browser.post("/settings/two-factor/setup", { password: "wrong password 9q8z" }, { csrfFrom: "/settings/two-factor/setup" });
    const setup = await browser.post("/settings/two-factor/setup", { password }, { csrfFrom: "/settings/two-factor/setup" });
    const setupUrl = String(setup.headers.location);
    const key = keyFromSetupPage((await browser.get(setupUrl)).body);
    secrets.addKey(key);
    const wrongEnrolmentCode = codeFor(key, t.clock.now(), 5);
    secrets.addCode(wrongEnrolmentCode);
    await browser.post(setupUrl, { code: wrongEnrolmentCode }, { csrfFrom: setupUrl });
    const enrolmentCode = codeFor(key, t.clock.now());
    secrets.addCode(enrolmentCode);
    const codesPage = await browser.post(setupUrl, { code: enrolmentCode }, { csrfFrom: setupUrl });
    const recoveryCodes = recoveryCodesFromPage(codesPage.body);
    assert.equal(recoveryCodes.length, 10);
    secrets.add(...recoveryCodes);
    await browser.post("/logout", {}, { csrfFrom: "/settings/security" });

    // Log in on the API: a wrong code, a malformed one, then the right one.
    t.clock.advance(30);
    const flowId = await apiStartLogin(t.app, credentials);
    secrets.add(flowId);
    const wrongLoginCode = codeFor(key, t.clock.now(), 4);
    secrets.addCode(wrongLoginCode);
    await apiPost(t.app, "/api/login/second-factor", { flowId, code: wrongLoginCode });
    await apiPost(t.app, "/api/login/second-factor", { flowId, code: "65432a" });
    const loginCode = codeFor(key, t.clock.now());
    secrets.addCode(loginCode);
    const login = await apiPost(t.app, "/api/login/second-factor", { flowId, code: loginCode });
    assert.equal(login.statusCode, 200);
    const token = login.json().sessionToken as string;
    secrets.add(token);
    await apiGet(t.app, "/api/me/security", { token });
    await apiGet(t.app, "/api/me/events", { token });

    // New recovery codes with a code as proof.
    t.clock.advance(30);
    const proofCode = codeFor(key, t.clock.now());
    secrets.addCode(proofCode);
    const regenerated = await apiPost(t.app, "/api/me/recovery-codes", { code: proofCode }, { token });
    assert.equal(regenerated.statusCode, 200);
    const newCodes = regenerated.json().recoveryCodes as string[];
    secrets.add(...newCodes);

    // A recovery-code login on the pages: an old (dead) code, then a new one.
    await browser.post("/login", credentials, { csrfFrom: "/login" });
    secrets.add(browser.cookies.get("twostep_login")!);
    await browser.post("/login/recovery", { code: recoveryCodes[0]! }, { csrfFrom: "/login/recovery" });
    const recovered = await browser.post("/login/recovery", { code: newCodes[0]! }, { csrfFrom: "/login/recovery" });
    assert.equal(recovered.headers.location, "/settings/security");
    secrets.add(browser.cookies.get("twostep_session")!);

    // Disable: a wrong password first.
    await apiPost(t.app, "/api/me/two-factor/disable", { password: "wrong password 9q8z" }, { token });
    assert.equal((await apiPost(t.app, "/api/me/two-factor/disable", { password }, { token })).statusCode, 200);
    await apiPost(t.app, "/api/logout", {}, { token });

    const lines = t.logLines.slice(logStart);
    assert.ok(lines.length > 20, "Fastify's request log was captured");
    for (const line of [...lines, ...t.logger.lines.slice(serviceLogStart)]) {
      assert.deepEqual(secrets.foundIn(line), [], `log line leaks a secret: ${line}`);
    }
    // The event log shown to the user holds no secret either (SECURITY 34).
    const events = JSON.stringify(await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 200 }));
    assert.deepEqual(secrets.foundIn(events), []);
  });

  it("logs no code or secret when a request fails unexpectedly", async () => {
    const enrolled = await enrolTotp(t.deps);
    t.clock.advance(30);
    const flowId = await apiStartLogin(t.app, { email: enrolled.user.email, password: enrolled.password });
    const code = codeFor(enrolled.keyBase32, t.clock.now());
    const logStart = t.logLines.length;
    const original = t.deps.store.transaction.bind(t.deps.store);
    t.deps.store.transaction = () => Promise.reject(new Error("database is locked"));
    try {
      const response = await apiPost(t.app, "/api/login/second-factor", { flowId, code });
      assert.equal(response.statusCode, 500);
      assert.equal(mentionsCode(response.body, code), false);
      assert.equal(response.body.includes(flowId), false);
    } finally {
      t.deps.store.transaction = original;
    }
    const lines = t.logLines.slice(logStart).join("\n");
    assert.match(lines, /unexpected error/, "the failure was logged");
    assert.equal(mentionsCode(lines, code), false);
    assert.equal(lines.includes(flowId), false);
    assert.equal(lines.includes(enrolled.password), false);
  });

  it("never returns the TOTP key again once enrolment is confirmed", async () => {
    const { user, password } = await seedUser(t.deps);
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const setup = await browser.post("/settings/two-factor/setup", { password }, { csrfFrom: "/settings/two-factor/setup" });
    const setupUrl = String(setup.headers.location);
    const setupPage = await browser.get(setupUrl);
    assert.equal(setupPage.headers["cache-control"], "no-store");
    const key = keyFromSetupPage(setupPage.body);
    const secrets = new Secrets();
    secrets.addKey(key);
    assert.ok(secrets.foundIn(setupPage.body).length > 0, "the key is shown during enrolment");
    await browser.post(setupUrl, { code: codeFor(key, t.clock.now()) }, { csrfFrom: setupUrl });

    const flowId = (await apiPost(t.app, "/api/login", { email: user.email, password })).json().flowId as string;
    t.clock.advance(30);
    const session = (await apiPost(t.app, "/api/login/second-factor", { flowId, code: codeFor(key, t.clock.now()) })).json().sessionToken as string;

    const responses = [
      await browser.get(setupUrl),
      await browser.get("/settings/two-factor/setup?notice=enrolment_expired"),
      await browser.get("/settings/security"),
      await browser.get("/settings/recovery-codes"),
      await browser.get("/settings/two-factor/disable"),
      await browser.post("/settings/two-factor/setup", { password }, { csrfFrom: "/settings/two-factor/setup" }),
      await apiGet(t.app, "/api/me/security", { token: session }),
      await apiGet(t.app, "/api/me/events", { token: session }),
      await apiPost(t.app, "/api/me/two-factor/totp", { password }, { token: session }),
      await apiGet(t.app, "/api/openapi.json"),
    ];
    assert.equal(responses[0]!.statusCode, 303, "the setup page of a confirmed method is gone");
    assert.equal(responses[8]!.statusCode, 409);
    for (const response of responses) {
      assert.deepEqual(secrets.foundIn(response.body), [], `${response.statusCode} ${response.headers.location ?? ""} returns the key`);
      assert.doesNotMatch(response.body, /otpauth:\/\//);
    }
  });

  it("does not show or confirm a pending setup for another user who knows its URL", async () => {
    const owner = await seedUser(t.deps);
    const ownerBrowser = new FormClient(t.app);
    await ownerBrowser.post("/login", { email: owner.user.email, password: owner.password }, { csrfFrom: "/login" });
    const setup = await ownerBrowser.post("/settings/two-factor/setup", { password: owner.password }, { csrfFrom: "/settings/two-factor/setup" });
    const setupUrl = String(setup.headers.location);
    const key = keyFromSetupPage((await ownerBrowser.get(setupUrl)).body);
    const secrets = new Secrets();
    secrets.addKey(key);

    const other = await seedUser(t.deps);
    const otherBrowser = new FormClient(t.app, "203.0.113.77");
    await otherBrowser.post("/login", { email: other.user.email, password: other.password }, { csrfFrom: "/login" });
    const peek = await otherBrowser.get(setupUrl);
    assert.equal(peek.statusCode, 303);
    assert.deepEqual(secrets.foundIn(peek.body), []);
    const confirm = await otherBrowser.post(setupUrl, { code: codeFor(key, t.clock.now()) }, { csrfFrom: "/settings/security" });
    assert.equal(confirm.statusCode, 303);
    assert.deepEqual(secrets.foundIn(confirm.body), []);

    const otherToken = (await apiPost(t.app, "/api/login", { email: other.user.email, password: other.password })).json().sessionToken as string;
    const methodId = setupUrl.split("/").pop()!;
    const apiConfirm = await apiPost(t.app, `/api/me/two-factor/totp/${methodId}/confirm`, { code: codeFor(key, t.clock.now()) }, { token: otherToken });
    assert.equal(apiConfirm.statusCode, 410);
    assert.equal((await t.deps.store.methods.findMethod(methodId))!.status, "pending", "the owner's setup is untouched");
    assert.equal((await t.deps.store.methods.listMethods(other.user.id)).length, 0);
  });

  it("has no development outbox (sent codes) in production", async () => {
    const production = await createTestApp({ env: { TWOSTEP_ENV: "production" } });
    try {
      const response = await production.app.inject({ method: "GET", url: "/dev/outbox" });
      assert.equal(response.statusCode, 404);
    } finally {
      await production.close();
    }
  });

  it("never echoes a submitted code in an API error body or a page", async () => {
    const enrolled = await enrolTotp(t.deps);
    t.clock.advance(30);
    const flowId = await apiStartLogin(t.app, { email: enrolled.user.email, password: enrolled.password });
    const wrong = codeFor(enrolled.keyBase32, t.clock.now(), 7);
    const probes = [wrong, "98765x", "9876543210", "<b>987612</b>", "1".repeat(200)];
    const bodies: string[] = [];
    for (const code of probes) {
      bodies.push((await apiPost(t.app, "/api/login/second-factor", { flowId, code })).body);
      bodies.push((await apiPost(t.app, "/api/login/recovery-code", { flowId, code })).body);
      bodies.push((await apiPost(t.app, "/api/login/second-factor", { flowId, code, extra: code })).body);
      assert.equal(bodies.some((body) => body.includes(code)), false, `an API error body echoes ${code}: ${bodies.find((body) => body.includes(code))}`);
      bodies.length = 0;
    }
    const recoveryProbe = "QQQQ-RRRR-SSSS-TTTT";
    const recoveryBody = (await apiPost(t.app, "/api/login/recovery-code", { flowId, code: recoveryProbe })).body;
    assert.equal(recoveryBody.includes("QQQQ"), false);

    // Settings endpoints that take a code or password.
    t.clock.advance(60);
    const session = (await apiPost(t.app, "/api/login/second-factor", { flowId, code: codeFor(enrolled.keyBase32, t.clock.now()) })).json().sessionToken as string;
    const regenerate = await apiPost(t.app, "/api/me/recovery-codes", { code: wrong }, { token: session });
    assert.equal(mentionsCode(regenerate.body, wrong), false);
    const disable = await apiPost(t.app, "/api/me/two-factor/disable", { password: "not-my-password-1234" }, { token: session });
    assert.equal(disable.body.includes("not-my-password-1234"), false);

    // The HTML forms do not put the submitted code back in the page either.
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: enrolled.user.email, password: enrolled.password }, { csrfFrom: "/login" });
    const page = await browser.post("/login/two-factor", { code: "<i>555333</i>" }, { csrfFrom: "/login/two-factor" });
    assert.equal(page.body.includes("555333"), false);
    const recoveryPage = await browser.post("/login/recovery", { code: recoveryProbe }, { csrfFrom: "/login/recovery" });
    assert.equal(recoveryPage.body.includes("QQQQ"), false);
    const loginPage = await browser.post("/login", { email: enrolled.user.email, password: "typed-secret-password" }, { csrfFrom: "/login" });
    assert.equal(loginPage.body.includes("typed-secret-password"), false);
  });
});
