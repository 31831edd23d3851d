import type { EmailKind } from "./notifications.js";

/**
 * Every word an email says, in one place (SPEC N1). Plain, short sentences; a
 * text part and a simple HTML part built from the same paragraphs, every value
 * escaped. The facts are the user's name, the time, the address the change
 * came from, who made it if not the user, a method's name and a count: never a
 * code, a seed or a token (the reset link, `renderResetLinkEmail`, is the one
 * exception, and its row's body is erased once sent).
 */
export interface EmailFacts {
  displayName: string;
  /** A2: the user a reset request is about, when the email goes to someone else (the filing admin); null for the user. */
  aboutName?: string | null;
  /** A2: why support rejected a reset request. */
  reviewReason?: string;
  /** When the change happened (ms since the epoch). */
  at: number;
  clientAddress: string | null;
  /** Who made the change, when it was not the user themself. */
  actorName: string | null;
  methodType?: string;
  methodName?: string;
  codesLeft?: number;
  /** P1: the day two-factor authentication becomes mandatory, and how many days are left. */
  deadline?: number;
  daysBefore?: number;
  /** L7: how many days a trusted browser skips the second step. */
  rememberDays?: number;
  /** A3: the reseller whose storefront manager made the change (the customer's provider). */
  providerName?: string;
  /** Issue 17: the browser and OS a new sign-in came from (bowser's names), and its approximate place (GeoIP), when known. */
  browserName?: string;
  osName?: string;
  place?: string;
  /** The user's security page (or the page the notification names), where they can check and undo. */
  securityUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

interface Words {
  subject: string;
  /** What happened, in one or two sentences. */
  said: string[];
}

const methodLabels: Record<string, string> = { totp: "authenticator app", sms: "text message", webauthn: "security key or passkey" };

function method(facts: EmailFacts): string {
  const label = methodLabels[facts.methodType ?? ""] ?? "sign-in method";
  return facts.methodName ? `${label} "${facts.methodName}"` : label;
}

function byWhom(facts: EmailFacts): string {
  if (facts.providerName) return ` by your provider, ${facts.providerName}${facts.actorName ? ` (${facts.actorName})` : ""}`;
  return facts.actorName ? ` by ${facts.actorName}` : "";
}

function client(facts: EmailFacts): string {
  if (facts.browserName && facts.osName) return `${facts.browserName} on ${facts.osName}`;
  return facts.browserName ?? facts.osName ?? "an unrecognised browser or app";
}

function whose(facts: EmailFacts): string {
  return facts.aboutName ? `${facts.aboutName}'s account` : "your account";
}

/** A2: the three emails of a reset request; the same words to the user and, naming the user, to the filing admin. */
const resetRequestWords: Pick<Record<EmailKind, (facts: EmailFacts) => Words>, "reset_request_filed" | "reset_request_approved" | "reset_request_rejected"> = {
  reset_request_filed: (facts) => ({
    subject: "Two-factor reset requested",
    said: [
      `A request to turn off two-factor authentication (2FA) on ${whose(facts)} was sent to platform support${byWhom(facts)}, because the sign-in device and recovery codes were lost.`,
      "Support will review it by hand and email again with the decision. Nothing changes until then.",
    ],
  }),
  reset_request_approved: (facts) => ({
    subject: "Two-factor reset approved",
    said: [
      `Platform support approved the request${byWhom(facts)}: two-factor authentication is now off on ${whose(facts)}, its old methods and recovery codes no longer work, and every signed-in session was ended.`,
      `Next: sign in with the password alone, then set up two-factor authentication again from Security.`,
    ],
  }),
  reset_request_rejected: (facts) => ({
    subject: "Two-factor reset rejected",
    said: [
      `Platform support rejected the request to turn off two-factor authentication on ${whose(facts)}${byWhom(facts)}. Nothing was changed.`,
      `The reason given: ${facts.reviewReason ?? "none"}`,
      "Next: if the device turns up, sign in with it as usual; otherwise the account's administrator can file a new request with more detail.",
    ],
  }),
};

export const emailWords: Record<EmailKind, (facts: EmailFacts) => Words> = {
  two_factor_enabled: (facts) => ({
    subject: "Two-factor authentication is on",
    said: [`Two-factor authentication (2FA) was turned on for your account${byWhom(facts)}. From now on you need your ${method(facts)} as well as your password.`],
  }),
  two_factor_disabled: (facts) => ({
    subject: "Two-factor authentication is off",
    said: [`Two-factor authentication (2FA) was turned off for your account${byWhom(facts)}. Your password alone now signs you in.`],
  }),
  method_added: (facts) => ({
    subject: "A sign-in method was added",
    said: [`The ${method(facts)} was added to your account${byWhom(facts)}.`],
  }),
  method_reset: (facts) => ({
    subject: "A sign-in method was reset",
    said: [`The ${method(facts)} on your account was set up again${byWhom(facts)}. The old setup no longer works.`],
  }),
  method_removed: (facts) => ({
    subject: "A sign-in method was removed",
    said: [`The ${method(facts)} was removed from your account${byWhom(facts)}.`],
  }),
  recovery_codes_generated: (facts) => ({
    subject: "New recovery codes",
    said: [`New recovery codes were made for your account${byWhom(facts)}. Your old recovery codes no longer work.`],
  }),
  recovery_code_used: (facts) => ({
    subject: "A recovery code was used",
    said: [
      `Someone signed in to your account with a recovery code.`,
      facts.codesLeft === 1 ? "You have 1 recovery code left." : `You have ${facts.codesLeft ?? 0} recovery codes left.`,
    ],
  }),
  locked_out: () => ({
    subject: "Sign-in locked after wrong codes",
    said: [
      "Someone entered your password correctly, then the wrong two-factor code too many times. We have locked sign-in for a while.",
      "If this was not you, change your password now.",
    ],
  }),
  password_changed: (facts) => ({
    subject: "Your password was changed",
    said: [`The password for your account was changed${byWhom(facts)}.`],
  }),
  password_reset: (facts) => ({
    subject: "Your password was reset",
    said: [
      `The password for your account was reset${byWhom(facts)} with a link sent to this address. Every other signed-in session was ended. Two-factor authentication, if you use it, is still on.`,
    ],
  }),
  two_factor_reminder: (facts) => ({
    subject: "Reminder: set up two-factor authentication",
    said: [
      `Two-factor authentication (2FA) will become mandatory for your account starting ${facts.deadline === undefined ? "soon" : formatDay(facts.deadline)}${facts.daysBefore === undefined ? "" : facts.daysBefore === 1 ? ", tomorrow" : `, in ${facts.daysBefore} days`}.`,
      "Set it up now: sign in and choose Security, then Set up two-factor authentication. After that date you will have to set it up before you can use your account.",
    ],
  }),
  user_deactivated: (facts) => ({
    subject: "Your account was deactivated",
    said: [`Your account was deactivated${byWhom(facts)}. You can no longer sign in, and every signed-in session was ended. Ask your administrator if you think this is a mistake.`],
  }),
  user_reactivated: (facts) => ({
    subject: "Your account was reactivated",
    said: [`Your account was reactivated${byWhom(facts)}. You can sign in again with your password.`],
  }),
  password_throttled: () => ({
    subject: "Many wrong passwords for your account",
    said: [
      "Someone entered the wrong password for your account many times. We have slowed down further tries from new browsers; browsers you signed in with before are not affected.",
      "If this was not you, nothing is needed, but consider turning on two-factor authentication if it is off.",
    ],
  }),
  // The key's name arrives as `methodName` (the event's detail `name`); the key itself never reaches an email.
  api_key_created: (facts) => ({
    subject: "A new API key was created",
    said: [`An API key${facts.methodName ? ` named "${facts.methodName}"` : ""} was created for your account. It can use the platform API without a two-factor prompt until it expires or is revoked.`],
  }),
  api_key_revoked: (facts) => ({
    subject: "An API key was revoked",
    said: [`The API key${facts.methodName ? ` "${facts.methodName}"` : ""} on your account was revoked${byWhom(facts)}. It no longer works.`],
  }),
  // The browser's label arrives as `methodName` (the event's detail `name`); its token never reaches an email.
  browser_remembered: (facts) => ({
    subject: "A browser will not be asked for your second factor",
    said: [
      `${facts.methodName ? `A browser (${facts.methodName})` : "A browser"} was remembered after a two-factor login: for ${facts.rememberDays ?? "some"} days it logs in to your account with the password alone.`,
      "If this was not you, forget it on your security page and change your password.",
    ],
  }),
  new_sign_in: (facts) => ({
    subject: "New sign-in to your account",
    said: [
      `Your account was just signed in to from a browser that has not signed in to it before: ${client(facts)}${facts.place ? `, near ${facts.place} (approximate)` : ""}.`,
      "If this was you, there is nothing to do. If not, sign that browser out on the page below (\"Where you're signed in\") and change your password.",
    ],
  }),
  key_clone_refused: (facts) => ({
    subject: "A copy of your security key may exist",
    said: [
      `Someone signed in with your ${method(facts)}, but the key's signature counter went backwards, which is what a copied key does. We refused that sign-in.`,
      "If you did not just use this key, remove it on your security page, add a new one and change your password.",
    ],
  }),
  ...resetRequestWords,
};

/** The same paragraphs as text and as simple HTML. */
export function renderEmail(kind: EmailKind, facts: EmailFacts): RenderedEmail {
  const words = emailWords[kind](facts);
  const where = facts.clientAddress ? ` from the address ${facts.clientAddress}` : "";
  const paragraphs = [
    `Hello ${facts.displayName},`,
    ...words.said,
    `When: ${formatTime(facts.at)}${where}.`,
    "If this was not you, sign in and check your security settings, or ask your administrator for help:",
  ];
  const text = [...paragraphs, facts.securityUrl, "— twostep"].join("\n\n") + "\n";
  const html = [
    "<!doctype html>",
    '<html><body style="font-family: sans-serif; line-height: 1.4">',
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    `<p><a href="${escapeHtml(facts.securityUrl)}">${escapeHtml(facts.securityUrl)}</a></p>`,
    "<p>— twostep</p>",
    "</body></html>",
  ].join("\n");
  return { subject: words.subject, text, html };
}

/** PR1: the message kind of the one email that holds a token (the outbox erases its body once sent). */
export const resetLinkKind = "password_reset_link";

/**
 * The email with the reset link. It goes only to the address the account
 * already has, so whoever asked learns nothing; it says how long the link
 * lasts and that ignoring it changes nothing.
 */
export function renderResetLinkEmail(facts: { displayName: string; at: number; clientAddress: string | null; resetUrl: string; ttlMinutes: number }): RenderedEmail {
  const where = facts.clientAddress ? ` from the address ${facts.clientAddress}` : "";
  const before = [
    `Hello ${facts.displayName},`,
    `Someone asked to reset the password for your account (${formatTime(facts.at)}${where}). To choose a new password, open this link within ${facts.ttlMinutes} minutes. It works once:`,
  ];
  const after = [
    "If you did not ask for this, ignore this email: your password stays as it is. Two-factor authentication stays on after a reset, and you will still need your second step to sign in.",
  ];
  const text = [...before, facts.resetUrl, ...after, "— twostep"].join("\n\n") + "\n";
  const html = [
    "<!doctype html>",
    '<html><body style="font-family: sans-serif; line-height: 1.4">',
    ...before.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    `<p><a href="${escapeHtml(facts.resetUrl)}">Choose a new password</a></p>`,
    ...after.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    "<p>— twostep</p>",
    "</body></html>",
  ].join("\n");
  return { subject: "Reset your twostep password", text, html };
}

/** A1: the message kind of the invitation, which holds a set-password token like the reset link. */
export const invitationKind = "user_invitation";

/** A1: the invitation a new user gets, with a single-use link to choose their first password. */
export function renderInvitationEmail(facts: { displayName: string; invitedBy: string; accountName: string; setPasswordUrl: string; ttlDays: number }): RenderedEmail {
  const before = [
    `Hello ${facts.displayName},`,
    `${facts.invitedBy} invited you to ${facts.accountName} on twostep. To start, choose your password with this link within ${facts.ttlDays} days. It works once:`,
  ];
  const after = ["If you did not expect this invitation, ignore this email: nobody can sign in to the new account without choosing its password with this link."];
  const text = [...before, facts.setPasswordUrl, ...after, "— twostep"].join("\n\n") + "\n";
  const html = [
    "<!doctype html>",
    '<html><body style="font-family: sans-serif; line-height: 1.4">',
    ...before.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    `<p><a href="${escapeHtml(facts.setPasswordUrl)}">Choose your password</a></p>`,
    ...after.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    "<p>— twostep</p>",
    "</body></html>",
  ].join("\n");
  return { subject: "You are invited to twostep", text, html };
}

/** "9 December 2026": a deadline's day, in UTC like the dates admins set. */
export function formatDay(at: number): string {
  return new Date(at).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/** "2026-11-22 12:00 UTC": the same for every reader, wherever the server runs. */
export function formatTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => escapes[character]!);
}
