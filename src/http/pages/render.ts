import type { FastifyReply, FastifyRequest } from "fastify";
import type { Authenticated } from "../../services/sessions/sessions.js";
import type { CodeDelivery } from "../../services/factors/code-delivery.js";
import { errorMessage, isErrorCode } from "../../services/failures.js";
import type { Html } from "./html.js";
import { layout, type LayoutOptions } from "./views/layout.js";

declare module "fastify" {
  interface FastifyRequest {
    auth?: Authenticated;
  }
}

/** Fixed notices chosen by a query parameter: the page never reflects arbitrary text. */
const notices: Record<string, string> = {
  logged_out: "You have logged out.",
  login_expired: "Your login has expired or was already completed. Log in again.",
  two_factor_enabled: "Two-factor authentication is enabled.",
  two_factor_disabled: "Two-factor authentication is disabled.",
  two_factor_disabled_password_changed: "Two-factor authentication is disabled and your new password is set.",
  recovery_disabled: "You logged in with a recovery code, so two-factor authentication is now disabled. Set it up again to protect your account.",
  enrolment_expired: "The setup took too long. Start again.",
  already_enabled: "Two-factor authentication is already enabled.",
  not_enabled: "Two-factor authentication is not enabled.",
  code_sent: "We sent a new code. Only the newest code works.",
  method_deleted: "The method was deleted.",
  method_added: "The method is added and is now your default.",
  default_changed: "Your default method is changed.",
  method_renamed: "The method is renamed.",
  method_reset: "The method is reset: only the new one works now.",
  policy_saved: "The two-factor policy is saved.",
  browser_forgotten: "The browser is forgotten: it asks for the second step at its next login.",
  browser_not_found: "That browser was not remembered (any more).",
  browsers_forgotten: "Every remembered browser is forgotten.",
  app_signed_out: "You are signed out of the app. It asks you to sign in again at your next visit.",
  app_not_signed_in: "You were not signed in to that app (any more).",
  session_ended: "That session is signed out: its next request is logged out.",
  session_not_found: "That session was already signed out or has expired.",
  other_sessions_ended: "Every other session is signed out.",
  user_sessions_ended: "The user is signed out everywhere.",
  api_key_revoked: "The API key is revoked: it no longer works.",
  user_created: "The user is created. We emailed them an invitation with a link to choose their password.",
  user_deactivated: "The user is deactivated and signed out everywhere.",
  user_reactivated: "The user is reactivated and can sign in again.",
  reset_requested: "The reset request is sent. Platform support will review it; the user and you get an email with the decision.",
  reset_approved: "Approved: the user's two-factor authentication is off, and the user and the filing admin are told by email.",
  reset_rejected: "Rejected: the user and the filing admin are told by email, with your reason.",
};

/**
 * A query parameter any page may carry (`notice`, `error`) and so no route's
 * schema names: unknown until the caller checks it.
 */
function queryValue(request: FastifyRequest, name: string): unknown {
  const query = request.query;
  return typeof query === "object" && query !== null && name in query ? Reflect.get(query, name) : undefined;
}

/** Errors passed on a redirect as a catalogue code: shown with the catalogue's own words, never the query's. */
export function alertFrom(request: FastifyRequest): string | null {
  const code = queryValue(request, "error");
  if (typeof code === "string" && isErrorCode(code)) return errorMessage(code);
  return noticeFrom(request);
}

/** The query a second-step redirect carries when sending the SMS code failed. */
export function deliveryQuery(delivery: CodeDelivery): string {
  return delivery.status === "failed" ? `?error=${delivery.code}` : "";
}

export function noticeFrom(request: FastifyRequest): string | null {
  const key = queryValue(request, "notice");
  return typeof key === "string" ? (notices[key] ?? null) : null;
}

const tokens = new WeakMap<FastifyReply, string>();

/**
 * The CSRF token for this response. Made once per reply: each generateCsrf()
 * without a secret cookie would mint a new secret, and the token in the form
 * would not match the cookie that wins.
 */
export function csrfToken(reply: FastifyReply): string {
  let token = tokens.get(reply);
  if (!token) {
    token = reply.generateCsrf();
    tokens.set(reply, token);
  }
  return token;
}

export function sendPage(reply: FastifyReply, options: Omit<LayoutOptions, "csrfToken"> & { status?: number }, body: Html) {
  const token = csrfToken(reply);
  const user = options.user === undefined ? reply.request.auth?.user : options.user;
  const account = options.user === undefined ? reply.request.auth?.account : (options.account ?? null);
  const currentPath = reply.request.url.split("?")[0];
  return reply
    .code(options.status ?? 200)
    .type("text/html; charset=utf-8")
    .send(layout({ currentPath, ...options, user, account, csrfToken: token }, body).toString());
}

/**
 * A 303 to `location`. Paths carry checked ids only (src/http/params.ts), but a
 * header must never be where request data turns into a crash or a second
 * header: anything outside printable ASCII (CR, LF, NUL, spaces, non-ASCII) is
 * percent-encoded as UTF-8, so Node's header check cannot fail on it.
 */
export function redirect(reply: FastifyReply, location: string) {
  return reply.code(303).header("location", headerSafeLocation(location)).send();
}

export function headerSafeLocation(location: string): string {
  return location.replace(/[^\x21-\x7e]/gu, (character) => [...Buffer.from(character, "utf8")].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join(""));
}
