/**
 * Threat: a proxy in front of some other site (or a forged X-Original-URL)
 * uses twostep's forward auth to learn who is signed in, or to get its users
 * sent to a login that returns to it. An origin no app registered gets 403,
 * with or without a session, and never a Remote-User.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "../../src/services/apps/clients.js";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("attack: forward auth for an unregistered origin", () => {
  let t: TestApp;
  let browser: FormClient;
  before(async () => {
    t = await createTestApp();
    const created = await createClient(t.deps, {
      name: "Classic", redirectUris: ["https://classic.example.test/cb"], postLogoutRedirectUris: [], backchannelLogoutUri: null,
      forwardAuthOrigins: ["https://classic.example.test"], isPublic: false, requireTwoFactor: false, rememberBrowser: false,
    });
    assert.ok(created.ok);
    const { user, password } = await seedUser(t.deps);
    browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.ok(browser.cookies.has("twostep_session"));
  });
  after(() => t.close());

  for (const [name, headers] of [
    ["another host (nginx)", { "x-original-url": "https://evil.example/" }],
    ["another host (Traefik)", { "x-forwarded-proto": "https", "x-forwarded-host": "evil.example", "x-forwarded-uri": "/" }],
    ["the registered host on another port", { "x-original-url": "https://classic.example.test:8443/" }],
    ["the registered host over http", { "x-forwarded-proto": "http", "x-forwarded-host": "classic.example.test", "x-forwarded-uri": "/" }],
    ["a look-alike suffix", { "x-original-url": "https://classic.example.test.evil.example/" }],
  ] as const) {
    it(`answers ${name} with 403 and no identity, signed in or not`, async () => {
      for (const cookie of [undefined, [...browser.cookies].map(([key, value]) => `${key}=${value}`).join("; ")]) {
        const response = await t.app.inject({ method: "GET", url: "/forward-auth", headers: { ...headers, ...(cookie ? { cookie } : {}) } });
        assert.equal(response.statusCode, 403);
        assert.equal(response.headers["remote-user"], undefined);
        assert.equal(response.headers.location, undefined);
      }
    });
  }
});
