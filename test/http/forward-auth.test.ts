/**
 * GET /forward-auth for nginx auth_request (X-Original-URL: 401 with the
 * login address) and Traefik/Caddy (X-Forwarded-*: 302 there); 200 with the
 * Remote-* headers for a full twostep session; the app's --require-two-factor
 * rule; and /login?return_to=<panel page> going back to the page after login.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "../../src/services/apps/clients.js";
import { FormClient } from "../helpers/browser-client.js";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

const panel = "https://classic.example.test";
const strictPanel = "https://strict.example.test";

describe("forward auth", () => {
  let t: TestApp;
  let totpUser: EnrolledUser;
  before(async () => {
    t = await createTestApp();
    const base = { postLogoutRedirectUris: [], backchannelLogoutUri: null, isPublic: false, rememberBrowser: false };
    for (const [name, origin, requireTwoFactor] of [["Classic Reseller Interface", panel, false], ["Strict panel", strictPanel, true]] as const) {
      const created = await createClient(t.deps, { ...base, name, redirectUris: [`${origin}/cb`], forwardAuthOrigins: [origin], requireTwoFactor });
      assert.ok(created.ok);
    }
    totpUser = await enrolTotp(t.deps);
    t.clock.advance(30);
  });
  after(() => t.close());

  const ask = (browser: FormClient | null, headers: Record<string, string>) =>
    t.app.inject({ method: "GET", url: "/forward-auth", headers: { ...headers, ...(browser ? { cookie: [...browser.cookies].map(([name, value]) => `${name}=${value}`).join("; ") } : {}) } });
  const nginx = (url: string) => ({ "x-original-url": url });
  const traefik = (proto: string, host: string, uri: string) => ({ "x-forwarded-proto": proto, "x-forwarded-host": host, "x-forwarded-uri": uri });

  async function signedIn(user: { email: string; password: string; keyBase32?: string }) {
    const browser = new FormClient(t.app);
    const started = await browser.post("/login", { email: user.email, password: user.password }, { csrfFrom: "/login" });
    if (user.keyBase32 && started.headers.location?.toString().startsWith("/login/two-factor")) {
      t.clock.advance(30);
      await browser.post("/login/two-factor", { code: codeFor(user.keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    }
    assert.ok(browser.cookies.has("twostep_session"));
    return browser;
  }

  it("answers nginx without a session with 401 and the login address returning to the page", async () => {
    const response = await ask(null, nginx(`${panel}/orders?id=7`));
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers.location, `http://localhost:3000/login?return_to=${encodeURIComponent(`${panel}/orders?id=7`)}`);
  });

  it("answers Traefik and Caddy without a session with a 302 there", async () => {
    const response = await ask(null, traefik("https", "classic.example.test", "/orders"));
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, `http://localhost:3000/login?return_to=${encodeURIComponent(`${panel}/orders`)}`);
  });

  it("refuses a request that names no page with 400", async () => {
    assert.equal((await ask(null, {})).statusCode, 400);
    assert.equal((await ask(null, nginx("not a url"))).statusCode, 400);
  });

  it("lets a full session through with Remote-User, -Email, -Name, -Groups and -Account, whatever the client sent", async () => {
    const browser = await signedIn({ email: totpUser.user.email, password: totpUser.password, keyBase32: totpUser.keyBase32 });
    for (const headers of [nginx(`${panel}/`), traefik("https", "classic.example.test", "/x")]) {
      const response = await ask(browser, { ...headers, "remote-user": "admin@evil.test" });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers["remote-user"], totpUser.user.email);
      assert.equal(response.headers["remote-email"], totpUser.user.email);
      assert.equal(response.headers["remote-name"], totpUser.user.displayName);
      assert.equal(response.headers["remote-groups"], `reseller,${totpUser.user.role}`);
      assert.equal(response.headers["remote-account"], totpUser.user.accountId);
    }
  });

  it("puts the security headers on every answer a browser may see, and none on the 200 only the proxy reads", async () => {
    const browser = await signedIn({ email: totpUser.user.email, password: totpUser.password, keyBase32: totpUser.keyBase32 });
    const allowed = await ask(browser, nginx(`${panel}/`));
    assert.equal(allowed.statusCode, 200);
    assert.equal(allowed.headers["content-security-policy"], undefined);
    assert.equal(allowed.headers["cache-control"], "no-store");
    const toBrowser = [await ask(null, nginx(`${panel}/`)), await ask(null, traefik("https", "classic.example.test", "/")), await ask(browser, nginx("https://elsewhere.example.test/")), await ask(null, {})];
    assert.deepEqual(toBrowser.map((response) => response.statusCode), [401, 302, 403, 400]);
    for (const response of toBrowser) {
      assert.match(String(response.headers["content-security-policy"]), /default-src 'self'/);
      assert.equal(response.headers["x-content-type-options"], "nosniff");
      assert.equal(response.headers["x-frame-options"], "SAMEORIGIN");
    }
  });

  it("sends a password-only session of a --require-two-factor app back to a fresh login", async () => {
    const plain = await seedUser(t.deps);
    const browser = await signedIn({ email: plain.user.email, password: plain.password });
    assert.equal((await ask(browser, nginx(`${panel}/`))).statusCode, 200, "the ordinary panel follows the account policy");
    const strict = await ask(browser, nginx(`${strictPanel}/`));
    assert.equal(strict.statusCode, 401);
    assert.match(String(strict.headers.location), /&prompt=login$/);
  });

  it("takes the login back to the panel's page after the password and the code", async () => {
    const browser = new FormClient(t.app);
    const page = `${panel}/orders?id=7&tab=b`;
    await browser.get(`/login?return_to=${encodeURIComponent(page)}`);
    await browser.post("/login", { email: totpUser.user.email, password: totpUser.password });
    t.clock.advance(30);
    const done = await browser.post("/login/two-factor", { code: codeFor(totpUser.keyBase32, t.clock.now()) }, { csrfFrom: "/login/two-factor" });
    assert.equal(done.headers.location, page);
    assert.equal((await ask(browser, nginx(page))).statusCode, 200);
  });

  it("lets the login page's forms lead to the panel's origin (CSP form-action) while the return is pending", async () => {
    const browser = new FormClient(t.app);
    const response = await browser.get(`/login?return_to=${encodeURIComponent(`${panel}/`)}`);
    assert.match(String(response.headers["content-security-policy"]), new RegExp(`form-action 'self' ${panel.replace(/\./g, "\\.")}`));
    const plain = await new FormClient(t.app).get("/login");
    assert.match(String(plain.headers["content-security-policy"]), /form-action 'self'(;|$)/);
  });
});
