/**
 * Threat: the trusted-browser token leaking where others read it. The
 * token alone (with the password) skips the second step, so it may live only
 * in the browser's HttpOnly cookie: never in a response body (pages or API),
 * a log line, an event's detail or an email, where a support agent, a log
 * pipeline or a mailbox would hold it. Only its hash is stored (L7).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, nextCode } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { logInWithCode, rememberThroughApi, trustedCookie, trustedCookieOf } from "../helpers/trusted-browser.js";

describe("security: the trusted-browser token never leaks", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("is only in the Set-Cookie header: not in bodies, logs, events, emails or the stored row", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const browser = new FormClient(t.app);
    const pageLogin = await logInWithCode(browser, { email: enrolled.user.email, password: enrolled.password, code: nextCode(enrolled.keyBase32, t.clock), remember: true });
    const pageToken = trustedCookieOf(pageLogin)!.value;
    const bodies = [pageLogin.body, (await browser.get("/settings/security")).body, (await browser.get("/settings/events")).body];
    const api = await rememberThroughApi(t.app, enrolled, t.clock);
    bodies.push(...api.bodies);
    const client = new ApiClient(t.app);
    for (const url of ["/api/me/browsers", "/api/me/security", "/api/me/events"]) bodies.push((await client.get(url, api.sessionToken)).raw.body);
    // The skip itself answers a session, never the token.
    bodies.push((await client.request("POST", "/api/login", { json: { email: enrolled.user.email, password: enrolled.password }, headers: { cookie: `${trustedCookie}=${api.token}` } })).raw.body);

    const events = JSON.stringify(await t.deps.store.events.listEvents({ subjectUserId: enrolled.user.id, limit: 100 }));
    const emails = (await t.deps.store.messages.listMessages(10_000)).filter((message) => message.recipient === enrolled.user.email);
    assert.ok(emails.some((message) => message.kind === "browser_remembered"), "the email went out");
    const stored = JSON.stringify(await t.deps.store.trustedBrowsers.listTrustedBrowsers(enrolled.user.id, t.clock.now()));
    for (const token of [pageToken, api.token]) {
      for (const body of bodies) assert.ok(!body.includes(token), "a response body holds the token");
      assert.ok(!t.logLines.join("\n").includes(token), "a log line holds the token");
      assert.ok(!events.includes(token), "an event holds the token");
      for (const email of emails) assert.ok(!`${email.subject}${email.textBody}${email.htmlBody}`.includes(token), "an email holds the token");
      assert.ok(!stored.includes(token), "only the hash is stored");
    }
  });
});
