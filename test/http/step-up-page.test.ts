import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { enrolSms, gbMobile, oneCodeDuring } from "../helpers/sms.js";

/** "Confirm it's you" for an SMS user: "Text me a code", the texted code confirms, back to next. */
describe("the confirm page with SMS", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("texts a code on request and takes it", async () => {
    const phone = gbMobile(7);
    const sms = await enrolSms(t.deps, { phone });
    const browser = new FormClient(t.app);
    t.clock.advance(3600);
    const login = await oneCodeDuring(t.deps, () => browser.post("/login", { email: sms.user.email, password: sms.password }, { csrfFrom: "/login" }), phone);
    assert.equal(login.result.headers.location, "/login/two-factor");
    const signedIn = await browser.post("/login/two-factor", { code: login.code }, { csrfFrom: "/login/two-factor" });
    assert.equal(signedIn.statusCode, 303, signedIn.body.slice(0, 300));
    t.clock.advance(11 * 60);

    const refused = await browser.post("/settings/recovery-codes", { password: sms.password }, { csrfFrom: "/settings/recovery-codes" });
    assert.equal(refused.headers.location, "/settings/confirm?next=%2Fsettings%2Frecovery-codes");
    const page = await browser.get(String(refused.headers.location));
    assert.match(page.body, /Text me a code/);
    assert.match(page.body, /or a text message/);

    const sent = await oneCodeDuring(t.deps, () => browser.post("/settings/confirm/send-code", { next: "/settings/recovery-codes" }, { csrfFrom: "/settings/confirm?next=%2Fsettings%2Frecovery-codes" }), phone);
    assert.equal(sent.result.headers.location, "/settings/confirm?next=%2Fsettings%2Frecovery-codes&notice=code_sent");
    assert.match((await browser.get(String(sent.result.headers.location))).body, /We sent a new code/);
    const confirmed = await browser.post("/settings/confirm", { code: sent.code, next: "/settings/recovery-codes" }, { csrfFrom: "/settings/confirm" });
    assert.equal(confirmed.headers.location, "/settings/recovery-codes");
    const codes = await browser.post("/settings/recovery-codes", { password: sms.password }, { csrfFrom: "/settings/recovery-codes" });
    assert.equal(codes.statusCode, 200);
    assert.match(codes.body, /Your new recovery codes/);
  });
});
