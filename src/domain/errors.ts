/**
 * The one catalogue of error codes. The JSON API answers `{ code, message }`
 * with the status given here; the HTML pages show the same message next to
 * the field it concerns. `test/catalogue.test.ts` checks README's table matches.
 */
export const errorCatalogue = {
  invalid_request: { status: 400, message: "The request is not valid." },
  unknown_field: { status: 400, message: "The request has a field this endpoint does not accept." },
  unsupported_media_type: { status: 415, message: "Send the request body as application/json (API) or a form (pages)." },
  body_too_large: { status: 413, message: "The request body is too large." },
  malformed_encoding: { status: 400, message: "The request is not correctly encoded: every % must be followed by two hexadecimal digits, and the text must be UTF-8." },
  invalid_code_format: { status: 400, message: "Enter the 6-digit code from your authenticator app." },
  invalid_recovery_code_format: { status: 400, message: "Enter a recovery code: 16 letters and digits, such as ABCD-EFGH-JKMN-PQRS." },
  invalid_email: { status: 400, message: "Enter a valid email address." },
  invalid_phone_number: { status: 400, message: "Enter a valid mobile number, with the country code, such as +44 7400 123456." },
  not_a_mobile_number: { status: 400, message: "That number is not a mobile number. SMS codes need a mobile phone." },
  phone_country_not_allowed: { status: 400, message: "We cannot send SMS codes to numbers in that country." },
  invalid_method_name: { status: 400, message: "Give the method a name of 1 to 64 characters." },
  password_too_short: { status: 400, message: "Use a password of at least 12 characters." },
  password_too_long: { status: 400, message: "Use a password of at most 256 characters." },
  passwords_do_not_match: { status: 400, message: "The two passwords do not match. Type the same new password twice." },
  reset_link_invalid: { status: 400, message: "This link is not valid, was already used or has expired. Ask for a new one." },
  reset_limit_reached: { status: 429, message: "Too many reset emails were asked for. Try again later." },
  invalid_credentials: { status: 401, message: "Incorrect email or password." },
  password_incorrect: { status: 401, message: "That password is not correct." },
  invalid_code: {
    status: 401,
    message: "That code didn't work. Wait for the next code and try again; if codes keep failing, sync your device's clock (most authenticator apps have a time sync option).",
  },
  invalid_recovery_code: { status: 401, message: "That recovery code is not valid or was already used. Each code works once." },
  locked_out: { status: 429, message: "Too many failed attempts. Wait a little and try again." },
  sms_resend_too_soon: { status: 429, message: "A code was just sent. Wait a moment before asking for a new one." },
  sms_limit_reached: { status: 429, message: "Too many text messages were sent. Try again later, or use another method." },
  sms_send_failed: { status: 502, message: "We could not send the text message. Try again in a moment, or use another method." },
  invalid_sms_code: { status: 401, message: "That code didn't work or has expired. Use the code in the newest text message, or send a new code." },
  invalid_security_key_response: { status: 400, message: "Your browser's answer from the security key could not be read. Try again." },
  security_key_not_accepted: {
    status: 401,
    message: "That security key or passkey was not accepted. Use a key you added to this account, on this site, or choose another method.",
  },
  security_key_already_added: { status: 409, message: "That security key or passkey is already added to an account. Use another one." },
  login_expired: { status: 401, message: "Your login has expired or was already completed. Log in again." },
  not_authenticated: { status: 401, message: "Log in to continue." },
  csrf_invalid: { status: 403, message: "This form has expired. Reload the page and try again." },
  two_factor_enrolment_required: { status: 403, message: "Two-factor authentication is required for your account. Set it up to continue." },
  security_key_required_by_app: { status: 403, message: "This app asks for a security key or passkey, and your account has none. Add one on your Security page, then sign in to the app again." },
  forbidden: { status: 403, message: "You are not allowed to do that." },
  step_up_required: { status: 403, message: "Confirm it's you: enter a current code from your two-factor method (your password if you have none), then try again." },
  own_two_factor_required: { status: 403, message: "Turn on two-factor authentication for your own account before acting on other users' security." },
  user_not_found: { status: 404, message: "That user does not exist." },
  not_found: { status: 404, message: "There is nothing here." },
  two_factor_already_enabled: { status: 409, message: "This method is already set up. Reset or delete it first." },
  method_not_found: { status: 404, message: "That method does not exist." },
  two_factor_not_enabled: { status: 409, message: "Two-factor authentication is not enabled." },
  enrolment_expired: { status: 410, message: "The setup took too long. Start setting up two-factor authentication again." },
  method_not_allowed_by_policy: { status: 403, message: "Your account's policy does not allow this method." },
  email_taken: { status: 409, message: "A user with that email already exists." },
  account_not_found: { status: 404, message: "No account has that name." },
  invalid_role: { status: 400, message: "The role must be one of: admin, member, support." },
  invalid_display_name: { status: 400, message: "Enter a name of 1 to 100 characters." },
  cannot_deactivate_self: { status: 409, message: "You cannot deactivate or reactivate your own user." },
  invalid_cursor: { status: 400, message: "That page link is not valid. Start again from the first page." },
  invalid_date: { status: 400, message: "Enter a date as YYYY-MM-DD, or leave it empty for no requirement." },
  invalid_policy_methods: { status: 400, message: "Choose the allowed methods from: totp, sms, webauthn." },
  sms_only_not_allowed: { status: 400, message: "SMS cannot be the only allowed method: it is the weaker factor. Allow the authenticator app (TOTP) as well." },
  invalid_event_filter: { status: 400, message: "Check the filter: an event type from the list, dates as YYYY-MM-DD (the end not before the start)." },
  invalid_api_key_name: { status: 400, message: "Give the key a name of 1 to 64 characters." },
  invalid_api_key_expiry: { status: 400, message: "Choose when the key expires: in 1 to 365 days." },
  api_key_not_found: { status: 404, message: "That API key does not exist." },
  api_key_required: { status: 401, message: "The platform API takes an API key only: send Authorization: Bearer tsk_…. Passwords, session tokens and login ids are not accepted." },
  invalid_api_key: { status: 401, message: "That API key is not valid, was revoked or has expired." },
  session_required: { status: 401, message: "This endpoint needs a signed-in session; API keys work only on the platform API." },
  invalid_reason: { status: 400, message: "Give a reason of 1 to 500 characters." },
  reset_request_pending: { status: 409, message: "A reset request for this user is already waiting for support. Wait for its decision." },
  reset_request_not_found: { status: 404, message: "That reset request does not exist." },
  reset_request_settled: { status: 409, message: "This reset request was already decided." },
  internal_error: { status: 500, message: "Something went wrong on our side. Try again." },
  server_busy: { status: 503, message: "Too many sign-ins at once. Try again in a moment." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** An expected, user-facing failure: returned, not thrown, by services. */
export interface Failure {
  ok: false;
  code: ErrorCode;
  /** Which form field the message belongs next to, for the HTML pages. */
  field?: string;
  retryAfterSeconds?: number;
}

/**
 * The one failure shape: every expected outcome is a `Result`, tested with
 * `.ok`: no second shape (a value or a failure told apart by its keys, or a failure or nothing).
 */
export type Result<T> = ({ ok: true } & T) | Failure;

/** A success that carries nothing: `Outcome` is its result type, `ok` its one value. */
export type Outcome = Result<Record<never, never>>;
export const ok = { ok: true } as const;

export function fail(code: ErrorCode, extra: Omit<Failure, "ok" | "code"> = {}): Failure {
  return { ok: false, code, ...extra };
}

export function errorStatus(code: ErrorCode): number {
  return errorCatalogue[code].status;
}

export function errorMessage(code: ErrorCode): string {
  return errorCatalogue[code].message;
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCatalogue, value);
}
