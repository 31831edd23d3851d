/**
 * Issue 8, item 9: one mapping from a failure to {status, field, message}.
 * The same failure answers the same status on the HTML pages and in the JSON
 * API (a malformed setup code used to be 401 on the pages and 400 in the API).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { errorCatalogue, fail, type ErrorCode } from "../../src/domain/errors.js";
import { failureAnswer } from "../../src/http/failure.js";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

/**
 * Every code's status and message written out, as README's Errors table has them:
 * the expectation is not computed from the catalogue it checks, so a changed
 * status or message (or a mapping that stops reading the catalogue) fails here.
 */
const expected: Record<ErrorCode, [status: number, message: string]> = {
  invalid_request: [400, "The request is not valid."],
  unknown_field: [400, "The request has a field this endpoint does not accept."],
  unsupported_media_type: [415, "Send the request body as application/json (API) or a form (pages)."],
  body_too_large: [413, "The request body is too large."],
  malformed_encoding: [400, "The request is not correctly encoded: every % must be followed by two hexadecimal digits, and the text must be UTF-8."],
  invalid_code_format: [400, "Enter the 6-digit code from your authenticator app."],
  invalid_recovery_code_format: [400, "Enter a recovery code: 16 letters and digits, such as ABCD-EFGH-JKMN-PQRS."],
  invalid_email: [400, "Enter a valid email address."],
  invalid_phone_number: [400, "Enter a valid mobile number, with the country code, such as +44 7400 123456."],
  not_a_mobile_number: [400, "That number is not a mobile number. SMS codes need a mobile phone."],
  phone_country_not_allowed: [400, "We cannot send SMS codes to numbers in that country."],
  invalid_method_name: [400, "Give the method a name of 1 to 64 characters."],
  password_too_short: [400, "Use a password of at least 12 characters."],
  password_too_long: [400, "Use a password of at most 256 characters."],
  passwords_do_not_match: [400, "The two passwords do not match. Type the same new password twice."],
  reset_link_invalid: [400, "This link is not valid, was already used or has expired. Ask for a new one."],
  reset_limit_reached: [429, "Too many reset emails were asked for. Try again later."],
  invalid_credentials: [401, "Incorrect email or password."],
  password_incorrect: [401, "That password is not correct."],
  invalid_code: [401, "That code didn't work. Wait for the next code and try again; if codes keep failing, sync your device's clock (most authenticator apps have a time sync option)."],
  invalid_recovery_code: [401, "That recovery code is not valid or was already used. Each code works once."],
  locked_out: [429, "Too many failed attempts. Wait a little and try again."],
  sms_resend_too_soon: [429, "A code was just sent. Wait a moment before asking for a new one."],
  sms_limit_reached: [429, "Too many text messages were sent. Try again later, or use another method."],
  sms_send_failed: [502, "We could not send the text message. Try again in a moment, or use another method."],
  invalid_sms_code: [401, "That code didn't work or has expired. Use the code in the newest text message, or send a new code."],
  invalid_security_key_response: [400, "Your browser's answer from the security key could not be read. Try again."],
  security_key_not_accepted: [401, "That security key or passkey was not accepted. Use a key you added to this account, on this site, or choose another method."],
  security_key_already_added: [409, "That security key or passkey is already added to an account. Use another one."],
  login_expired: [401, "Your login has expired or was already completed. Log in again."],
  not_authenticated: [401, "Log in to continue."],
  csrf_invalid: [403, "This form has expired. Reload the page and try again."],
  two_factor_enrolment_required: [403, "Two-factor authentication is required for your account. Set it up to continue."],
  security_key_required_by_app: [403, "This app asks for a security key or passkey, and your account has none. Add one on your Security page, then sign in to the app again."],
  forbidden: [403, "You are not allowed to do that."],
  step_up_required: [403, "Confirm it's you: enter a current code from your two-factor method (your password if you have none), then try again."],
  own_two_factor_required: [403, "Turn on two-factor authentication for your own account before acting on other users' security."],
  user_not_found: [404, "That user does not exist."],
  not_found: [404, "There is nothing here."],
  two_factor_already_enabled: [409, "This method is already set up. Reset or delete it first."],
  method_not_found: [404, "That method does not exist."],
  two_factor_not_enabled: [409, "Two-factor authentication is not enabled."],
  enrolment_expired: [410, "The setup took too long. Start setting up two-factor authentication again."],
  method_not_allowed_by_policy: [403, "Your account's policy does not allow this method."],
  email_taken: [409, "A user with that email already exists."],
  account_not_found: [404, "No account has that name."],
  invalid_role: [400, "The role must be one of: admin, member, support."],
  invalid_display_name: [400, "Enter a name of 1 to 100 characters."],
  cannot_deactivate_self: [409, "You cannot deactivate or reactivate your own user."],
  invalid_cursor: [400, "That page link is not valid. Start again from the first page."],
  invalid_date: [400, "Enter a date as YYYY-MM-DD, or leave it empty for no requirement."],
  invalid_policy_methods: [400, "Choose the allowed methods from: totp, sms, webauthn."],
  sms_only_not_allowed: [400, "SMS cannot be the only allowed method: it is the weaker factor. Allow the authenticator app (TOTP) as well."],
  invalid_event_filter: [400, "Check the filter: an event type from the list, dates as YYYY-MM-DD (the end not before the start)."],
  invalid_api_key_name: [400, "Give the key a name of 1 to 64 characters."],
  invalid_api_key_expiry: [400, "Choose when the key expires: in 1 to 365 days."],
  api_key_not_found: [404, "That API key does not exist."],
  api_key_required: [401, "The platform API takes an API key only: send Authorization: Bearer tsk_\u2026. Passwords, session tokens and login ids are not accepted."],
  invalid_api_key: [401, "That API key is not valid, was revoked or has expired."],
  session_required: [401, "This endpoint needs a signed-in session; API keys work only on the platform API."],
  invalid_reason: [400, "Give a reason of 1 to 500 characters."],
  reset_request_pending: [409, "A reset request for this user is already waiting for support. Wait for its decision."],
  reset_request_not_found: [404, "That reset request does not exist."],
  reset_request_settled: [409, "This reset request was already decided."],
  internal_error: [500, "Something went wrong on our side. Try again."],
  server_busy: [503, "Too many sign-ins at once. Try again in a moment."],
};

describe("one failure mapping for pages and API", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("failureAnswer answers every code with its pinned status and message, and keeps the field", () => {
    assert.deepEqual(Object.keys(expected).sort(), Object.keys(errorCatalogue).sort(), "every catalogue code is pinned here, and nothing else");
    for (const [code, [status, message]] of Object.entries(expected)) {
      assert.deepEqual(failureAnswer(fail(code as ErrorCode)), { status, field: null, message }, code);
    }
    assert.deepEqual(failureAnswer(fail("invalid_code_format", { field: "code" })), { status: 400, field: "code", message: "Enter the 6-digit code from your authenticator app." });
  });

  it("a malformed setup code: 400 on the page and in the API", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "reseller" });
    const api = new ApiClient(t.app);
    const token = await api.sessionFor(user.email, password);
    const begun = await api.post("/api/me/two-factor/totp", { password }, token);
    assert.equal(begun.status, 200, begun.raw.body);
    const viaApi = await api.post(`/api/me/two-factor/totp/${begun.body.methodId}/confirm`, { code: "12ab" }, token);

    const browser = new FormClient(t.app);
    await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    const setup = await browser.post("/settings/two-factor/setup", { password }, { csrfFrom: "/settings/two-factor/setup" });
    const methodPath = String(setup.headers.location);
    assert.match(methodPath, /^\/settings\/two-factor\/setup\/[^/]+$/);
    const viaPage = await browser.post(methodPath, { code: "12ab" }, { csrfFrom: methodPath });

    assert.equal(viaApi.body.code, "invalid_code_format");
    assert.equal(viaApi.status, 400);
    assert.equal(viaPage.statusCode, viaApi.status);
    assert.match(viaPage.body, /Enter the 6-digit code/);
  });

  it("a wrong password, then locked out: the same statuses on the page and in the API", async () => {
    const { user } = await seedUser(t.deps, { kind: "reseller" });
    const api = new ApiClient(t.app, "198.51.100.40");
    const browser = new FormClient(t.app);
    const viaApi = await api.post("/api/login", { email: user.email, password: "not the password" });
    const viaPage = await browser.post("/login", { email: user.email, password: "not the password" }, { csrfFrom: "/login" });
    assert.equal(viaApi.body.code, "invalid_credentials");
    assert.equal(viaApi.status, 401);
    assert.equal(viaPage.statusCode, viaApi.status);

    // Keep guessing until the API says locked_out (the password throttle), then the page says the same.
    let locked = viaApi;
    for (let guess = 0; guess < 40 && locked.body.code !== "locked_out"; guess++) locked = await api.post("/api/login", { email: user.email, password: "still not it" });
    assert.equal(locked.body.code, "locked_out");
    assert.equal(locked.status, 429);
    const lockedPage = await browser.post("/login", { email: user.email, password: "still not it" }, { csrfFrom: "/login" });
    assert.equal(lockedPage.statusCode, 429);
    assert.match(lockedPage.body, /Too many failed attempts/);
  });
});
