/**
 * Threat: a trusted browser outliving a 2FA change. Someone who once ticked
 * "Don't ask again" on a browser (or stole its cookie) keeps skipping the
 * second step after the user removed the method it was remembered with, got a
 * new one, or had support or an admin turn 2FA off. Every such change forgets
 * every trusted browser of the user, in the change's own transaction (L7).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, nextCode } from "../helpers/api-client.js";
import { enrolTotp, enrolTotpFor } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { loginStatusWith, rememberThroughApi } from "../helpers/trusted-browser.js";
import { removeTwoFactor } from "../../src/services/enrolment/two-factor-removal.js";
import { recordChangeAndForgetTrustedBrowsers } from "../../src/services/events/audit.js";
import { changesThatForgetTrustedBrowsers, eventsThatForgetTrustedBrowsers } from "../../src/domain/login-flow/trusted-browser.js";

describe("security: a trusted browser after a 2FA change", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("deleting the method forgets the browser: after a new method the old cookie gets the second step", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const { token, sessionToken } = await rememberThroughApi(t.app, enrolled, t.clock);
    assert.equal(await loginStatusWith(t.app, enrolled, token), "authenticated", "remembered before the change");
    const deleted = await new ApiClient(t.app).request("DELETE", `/api/me/methods/${enrolled.methodId}`, { json: { code: nextCode(enrolled.keyBase32, t.clock) }, token: sessionToken });
    assert.equal(deleted.status, 200, deleted.raw.body);
    assert.equal((await t.deps.store.trustedBrowsers.listTrustedBrowsers(enrolled.user.id, t.clock.now())).length, 0);
    t.clock.advance(30);
    await enrolTotpFor(t.deps, enrolled.user, enrolled.password);
    assert.equal(await loginStatusWith(t.app, enrolled, token), "second_factor_required");
    const events = await t.deps.store.events.listEvents({ subjectUserId: enrolled.user.id, limit: 50 });
    assert.ok(events.some((event) => event.type === "browser.forgotten" && event.detail.count === 1));
  });

  it("recording any 2FA or password change forgets every browser of that user, whichever path records it", async () => {
    const context = { clientAddress: null, userAgent: "test" };
    for (const type of changesThatForgetTrustedBrowsers) {
      const enrolled = await enrolTotp(t.deps, { kind: "customer" });
      const { user: neighbour } = await seedUser(t.deps, { kind: "customer" });
      const now = t.clock.now();
      for (const [userId, tokenHash] of [[enrolled.user.id, `mine-${type}`], [neighbour.id, `theirs-${type}`]] as const) {
        await t.deps.store.trustedBrowsers.trustBrowser({ tokenHash, userId, label: "Firefox on Linux", createdAt: now, expiresAt: now + 86_400_000 });
      }
      await t.deps.store.transaction((store) => recordChangeAndForgetTrustedBrowsers(t.deps, store, { type, subject: enrolled.user, context }));
      assert.equal((await t.deps.store.trustedBrowsers.listTrustedBrowsers(enrolled.user.id, now)).length, 0, type);
      assert.equal((await t.deps.store.trustedBrowsers.listTrustedBrowsers(neighbour.id, now)).length, 1, `${type}: another user's browser stays`);
    }
    assert.deepEqual([...eventsThatForgetTrustedBrowsers].sort(), ["method.added", "method.removed", "method.reset", "password.changed", "password.reset", "two_factor.disabled", "two_factor.enabled"]);
  });

  it("support or an admin turning 2FA off forgets the browser", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const { user: supporter } = await seedUser(t.deps, { kind: "platform" });
    const { token } = await rememberThroughApi(t.app, enrolled, t.clock);
    await t.deps.store.transaction((store) => removeTwoFactor(t.deps, store, enrolled.user, { clientAddress: null, userAgent: "test" }, { reason: "support_reset", actor: supporter }));
    assert.equal((await t.deps.store.trustedBrowsers.listTrustedBrowsers(enrolled.user.id, t.clock.now())).length, 0);
    t.clock.advance(30);
    await enrolTotpFor(t.deps, enrolled.user, enrolled.password);
    assert.equal(await loginStatusWith(t.app, enrolled, token), "second_factor_required");
  });
});
