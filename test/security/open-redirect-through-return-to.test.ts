/**
 * Threat: a phishing link `/login?return_to=<attacker>` that sends the user,
 * right after a real login, to a look-alike page. `return_to` is followed only
 * to an app's sign-in on twostep or a page under a registered forward-auth
 * origin; every trick below lands on the user's own page instead.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createClient } from "../../src/services/apps/clients.js";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("attack: open redirect through return_to", () => {
  let t: TestApp;
  let user: { email: string; password: string };
  before(async () => {
    t = await createTestApp();
    const created = await createClient(t.deps, {
      name: "Classic", redirectUris: ["https://classic.example.test/cb"], postLogoutRedirectUris: [], backchannelLogoutUri: null,
      forwardAuthOrigins: ["https://classic.example.test"], isPublic: false, requireTwoFactor: false, rememberBrowser: false,
    });
    assert.ok(created.ok);
    const seeded = await seedUser(t.deps);
    user = { email: seeded.user.email, password: seeded.password };
  });
  after(() => t.close());

  const landing = async (returnTo: string) => {
    const browser = new FormClient(t.app);
    await browser.get(`/login?return_to=${encodeURIComponent(returnTo)}`);
    const response = await browser.post("/login", user);
    return String(response.headers.location);
  };

  for (const hostile of [
    "https://evil.example/",
    "//evil.example/",
    "https:evil.example",
    "https://classic.example.test.evil.example/",
    "https://evil.example/?https://classic.example.test/",
    "https://classic.example.test@evil.example/",
    "/\\evil.example",
    "https://classic.example.test\\@evil.example",
    "javascript:alert(1)",
    "http://classic.example.test/",
    "https://classic.example.test:444/",
    " https://classic.example.test/",
    "/settings/../oidc/interaction/x/../../evil",
  ]) {
    it(`ignores ${JSON.stringify(hostile)}`, async () => {
      assert.equal(await landing(hostile), "/settings/security");
    });
  }

  it("follows a page under the registered origin (the control)", async () => {
    assert.equal(await landing("https://classic.example.test/orders"), "https://classic.example.test/orders");
  });
});

describe("a return kept from an abandoned app sign-in", () => {
  it("is dropped at the next ordinary login (no trip to an expired sign-in)", async () => {
    const t = await createTestApp();
    try {
      const { user, password } = await seedUser(t.deps);
      const browser = new FormClient(t.app);
      await browser.get("/login?return_to=%2Foidc%2Finteraction%2Fno-such-sign-in");
      const response = await browser.post("/login", { email: user.email, password });
      assert.equal(response.headers.location, "/settings/security");
    } finally {
      await t.close();
    }
  });
});
