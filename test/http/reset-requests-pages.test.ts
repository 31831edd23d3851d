/**
 * A2 on the pages (no JavaScript, CSRF on every form): the reseller admin files
 * a reset request for a member; support sees it in the queue, reviews it and
 * approves; a second one is rejected with a reason. A stale session is sent to
 * "Confirm it's you" with the page to come back to.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { nextCode } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import type { EnrolledUser } from "../helpers/enrol.js";
import { resetCast } from "../helpers/reset-requests.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";

describe("pages: 2FA reset requests", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function logIn(who: EnrolledUser) {
    const browser = new FormClient(t.app);
    let response = await browser.post("/login", { email: who.user.email, password: who.password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/login/two-factor");
    response = await browser.post("/login/two-factor", { code: nextCode(who.keyBase32, t.clock) }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.statusCode, 303, response.body);
    return browser;
  }

  it("admin files, support reviews and approves; the member's 2FA is off", async () => {
    const cast = await resetCast(t.deps);
    const admin = await logIn(cast.admin);
    const page = `/panel/users/${cast.member.user.id}/reset-request`;
    const form = await admin.get(page);
    assert.equal(form.statusCode, 200, form.body);
    assert.match(form.body, /<label for="field-reason">Reason<\/label>/);
    assert.match(form.body, /<textarea id="field-reason" name="reason"/);
    assert.match(form.body, /Platform support reviews every request by hand/);

    const empty = await admin.post(page, { reason: "" }, { csrfFrom: page });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /id="field-reason-error"/);
    assert.equal((await admin.post(page, { reason: "Lost phone" }, { csrf: null })).statusCode, 403, "CSRF is checked");

    const filed = await admin.post(page, { reason: "Phone stolen; confirmed by video call" }, { csrfFrom: page });
    assert.equal(filed.statusCode, 303, filed.body);
    assert.equal(filed.headers.location, `/panel/users/${cast.member.user.id}?notice=reset_requested`, "back to the user's record, not to the form");
    assert.match((await admin.get(filed.headers.location as string)).body, /The reset request is sent/);

    const noConsole = await admin.get("/support/reset-requests");
    assert.equal(noConsole.statusCode, 403, "an account admin has no support console");
    assert.match(noConsole.body, /Only platform support reviews two-factor reset requests\./);
    assert.match(noConsole.body, /<a href="\/settings\/security">Back to Security<\/a>/);

    const support = await logIn(cast.support);
    const queue = await support.get("/support/reset-requests");
    assert.equal(queue.statusCode, 200, queue.body);
    assert.match(queue.body, /<h2 id="waiting">Waiting for review<\/h2>/);
    assert.match(queue.body, /<h2 id="decided">Recently decided<\/h2>/);
    assert.doesNotMatch(queue.body, /No recently decided|No waiting for review/, "empty states are sentences");
    assert.match(queue.body, /Max Member/);
    assert.match(queue.body, /Ada Admin/);
    assert.match(queue.body, /Phone stolen; confirmed by video call/);
    const id = /href="\/support\/reset-requests\/([^"]+)">Max Member/.exec(queue.body)![1]!;
    const reviewUrl = `/support/reset-requests/${id}`;
    const review = await support.get(reviewUrl);
    assert.equal(review.statusCode, 200, review.body);
    assert.match(review.body, /Two-factor reset requested from support/, "the user's recent events");
    assert.match(review.body, /Approve and turn off two-factor authentication/);
    assert.match(review.body, /<label for="field-reason">Reason for rejecting<\/label>/);
    assert.match(review.body, /<dt>Two-factor authentication<\/dt><dd><strong class="status-on">On<\/strong>/);
    assert.match(review.body, /<h2 id="decide">Decide<\/h2>/);
    assert.match(review.body, /<textarea id="field-reason" name="reason" rows="4"/);

    const approved = await support.post(`${reviewUrl}/approve`, {}, { csrfFrom: reviewUrl });
    assert.equal(approved.statusCode, 303, approved.body);
    assert.equal(approved.headers.location, `${reviewUrl}?notice=reset_approved`);
    assert.deepEqual(await t.deps.store.methods.listMethods(cast.member.user.id), []);
    assert.doesNotMatch((await support.get(reviewUrl)).body, /Approve and turn off/, "a decided request has no forms");
    const after = await support.get("/support/reset-requests");
    assert.match(after.body, /No requests are waiting for review\./);
    assert.match(after.body, new RegExp(`href="/support/reset-requests/${id}">Max Member</a>[\\s\\S]*?Approved on <time`), "the decision is listed, with its time");
  });

  it("the queue's empty states are sentences: nothing waiting, nothing decided yet", async () => {
    const fresh = await createTestApp();
    try {
      const cast = await resetCast(fresh.deps);
      const browser = new FormClient(fresh.app);
      await browser.post("/login", { email: cast.support.user.email, password: cast.support.password }, { csrfFrom: "/login" });
      await browser.post("/login/two-factor", { code: nextCode(cast.support.keyBase32, fresh.clock) }, { csrfFrom: "/login/two-factor" });
      const queue = await browser.get("/support/reset-requests");
      assert.equal(queue.statusCode, 200, queue.body);
      assert.match(queue.body, /<p class="empty">No requests are waiting for review\.<\/p>/);
      assert.match(queue.body, /<p class="empty">No request has been decided yet\.<\/p>/);
    } finally {
      await fresh.close();
    }
  });

  it("rejecting needs a reason; a stale session goes to Confirm it's you", async () => {
    const cast = await resetCast(t.deps);
    const admin = await logIn(cast.admin);
    const page = `/panel/users/${cast.member.user.id}/reset-request`;
    await admin.post(page, { reason: "Lost phone" }, { csrfFrom: page });
    const id = (await t.deps.store.resetRequests.listRecentResetRequests({ limit: 50 })).find((request) => request.subjectUserId === cast.member.user.id)!.id;
    const support = await logIn(cast.support);
    const reviewUrl = `/support/reset-requests/${id}`;
    const noReason = await support.post(`${reviewUrl}/reject`, { reason: " " }, { csrfFrom: reviewUrl });
    assert.equal(noReason.statusCode, 400);
    // The error sits right under the Reason box, tied to it, and the box takes the focus.
    assert.match(noReason.body, /<textarea id="field-reason" name="reason" rows="4" maxlength="500" required autofocus aria-describedby="field-reason-hint field-reason-error" aria-invalid="true">[^<]*<\/textarea>\s*<p class="error" id="field-reason-error" role="alert">/);

    t.clock.advance(t.deps.config.stepUpMinutes * 60 + 1);
    const stale = await support.post(`${reviewUrl}/reject`, { reason: "Caller could not be verified" }, { csrfFrom: reviewUrl });
    assert.equal(stale.statusCode, 303);
    assert.equal(stale.headers.location, `/settings/confirm?next=${encodeURIComponent(reviewUrl)}`);
    assert.equal((await t.deps.store.resetRequests.findResetRequest(id))?.status, "pending");

    const fresh = await logIn(cast.support);
    const rejected = await fresh.post(`${reviewUrl}/reject`, { reason: "Caller could not be verified" }, { csrfFrom: reviewUrl });
    assert.equal(rejected.headers.location, `${reviewUrl}?notice=reset_rejected`);
    assert.equal((await t.deps.store.methods.listMethods(cast.member.user.id)).length, 1, "2FA stays on");
  });
});
