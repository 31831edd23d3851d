/**
 * Acting on another user's 2FA needs the actor's own (requireStepUp forOthers).
 * Demo users start without it, so the reset-request pages say what to do before
 * their forms and again if a form is sent anyway: set up 2FA first, with the
 * link to do it. (The policy and storefront pages: their own test files.)
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createUser } from "../../src/services/access/users.js";
import { FormClient } from "../helpers/browser-client.js";
import { resetCast } from "../helpers/reset-requests.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";

const heading = /Set up two-factor authentication for your own account first/;
const setUpLink = /<a class="button primary" href="\/settings\/two-factor\/setup">Set up two-factor authentication<\/a>/;

describe("pages: acting on others without 2FA of one's own", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function plainUser(accountId: string, role: "admin" | "support") {
    const password = "correct horse battery";
    const created = await createUser(t.deps, { accountId, email: `plain-${randomUUID().slice(0, 8)}@example.test`, password, role }, { clientAddress: null, userAgent: "test" });
    assert.ok(created.ok);
    const browser = new FormClient(t.app);
    assert.equal((await browser.post("/login", { email: created.user.email, password }, { csrfFrom: "/login" })).headers.location, "/settings/security");
    return browser;
  }

  it("an admin without 2FA sees how to set it up instead of the reset-request form; sending it anyway gets the same words", async () => {
    const cast = await resetCast(t.deps);
    const admin = await plainUser(cast.reseller.id, "admin");
    const page = `/panel/users/${cast.member.user.id}/reset-request`;
    const form = await admin.get(page);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, heading);
    assert.match(form.body, /You can ask support to reset another user(&#39;|')s two-factor authentication only while your own account uses two-factor authentication/);
    assert.match(form.body, setUpLink);
    assert.match(form.body, new RegExp(`<a class="button" href="/panel/users/${cast.member.user.id}">Back to Max Member</a>`));
    assert.doesNotMatch(form.body, /<textarea/, "no form that would be refused");

    const sent = await admin.post(page, { reason: "Lost phone" }, { csrfFrom: page });
    assert.equal(sent.statusCode, 403);
    assert.match(sent.body, /<h1 id="own-two-factor-heading">Set up two-factor authentication for your own account first<\/h1>/);
    assert.match(sent.body, setUpLink);
    assert.deepEqual(await t.deps.store.resetRequests.listPendingResetRequests({ limit: 1_000 }).then((rows) => rows.filter((row) => row.subjectUserId === cast.member.user.id)), []);
  });

  it("support without 2FA reviews a request but sees how to set it up in place of Approve and Reject", async () => {
    const cast = await resetCast(t.deps);
    const id = randomUUID();
    assert.ok(await t.deps.store.resetRequests.insertResetRequest({ id, accountId: cast.reseller.id, subjectUserId: cast.member.user.id, filedByUserId: cast.admin.user.id, reason: "Lost phone", createdAt: t.clock.now() }));
    const support = await plainUser(cast.platform.id, "support");
    const reviewUrl = `/support/reset-requests/${id}`;
    const review = await support.get(reviewUrl);
    assert.equal(review.statusCode, 200, review.body);
    assert.match(review.body, /<h2 id="decide">Decide<\/h2>\s*<section class="warning own-two-factor"[^>]*>\s*<h3 id="own-two-factor-heading">/);
    assert.match(review.body, /You can approve or reject a reset request only while/);
    assert.match(review.body, setUpLink);
    assert.doesNotMatch(review.body, /Approve and turn off/);

    const approved = await support.post(`${reviewUrl}/approve`, {}, { csrfFrom: reviewUrl });
    assert.equal(approved.statusCode, 403);
    assert.match(approved.body, heading);
    assert.match(approved.body, setUpLink);
    assert.equal((await t.deps.store.resetRequests.findResetRequest(id))?.status, "pending");
  });
});
