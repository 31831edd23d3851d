import type { EventType } from "./model.js";

/**
 * Which event tells whom what (SPEC N1, SECURITY 12): one row per event type
 * that sends an email. `to` names the people told: `subject` is the user the
 * change happened to (who made the change is named in the words when it was
 * someone else); `filer` is the admin who filed a 2FA reset request (A2),
 * carried in the event input, told what became of it. `kind` picks the words in
 * `email-words.ts`. An event type absent here sends nothing.
 */
export type NotificationRecipient = "subject" | "filer";

export interface Notification {
  kind: EmailKind;
  to: NotificationRecipient[];
  /** The page the email links to, when not the security page. */
  page?: string;
}

export const notifications = {
  "two_factor.enabled": { kind: "two_factor_enabled", to: ["subject"] },
  "two_factor.disabled": { kind: "two_factor_disabled", to: ["subject"] },
  "method.added": { kind: "method_added", to: ["subject"] },
  "method.reset": { kind: "method_reset", to: ["subject"] },
  "method.removed": { kind: "method_removed", to: ["subject"] },
  "recovery_codes.generated": { kind: "recovery_codes_generated", to: ["subject"] },
  "login.recovery_code_used": { kind: "recovery_code_used", to: ["subject"] },
  "login.locked_out": { kind: "locked_out", to: ["subject"] },
  "password.changed": { kind: "password_changed", to: ["subject"] },
  "password.reset": { kind: "password_reset", to: ["subject"] },
  "two_factor.reminder": { kind: "two_factor_reminder", to: ["subject"] },
  "login.password_throttled": { kind: "password_throttled", to: ["subject"] },
  "api_key.created": { kind: "api_key_created", to: ["subject"] },
  "api_key.revoked": { kind: "api_key_revoked", to: ["subject"] },
  "user.deactivated": { kind: "user_deactivated", to: ["subject"] },
  "user.reactivated": { kind: "user_reactivated", to: ["subject"] },
  "two_factor.reset_requested": { kind: "reset_request_filed", to: ["subject", "filer"] },
  "two_factor.reset_approved": { kind: "reset_request_approved", to: ["subject", "filer"] },
  "two_factor.reset_rejected": { kind: "reset_request_rejected", to: ["subject", "filer"] },
  "browser.remembered": { kind: "browser_remembered", to: ["subject"] },
  "method.clone_refused": { kind: "key_clone_refused", to: ["subject"] },
  // Issue 17 item 5: sent unless the account policy turned it off (`newSignInEmail`; the event's `notify`).
  "login.new_browser": { kind: "new_sign_in", to: ["subject"], page: "/settings/sessions" },
} as const satisfies Partial<Record<EventType, Notification>>;

export type EmailKind =
  | "two_factor_enabled"
  | "two_factor_disabled"
  | "method_added"
  | "method_reset"
  | "method_removed"
  | "recovery_codes_generated"
  | "recovery_code_used"
  | "locked_out"
  | "password_changed"
  | "password_reset"
  | "two_factor_reminder"
  | "password_throttled"
  | "api_key_created"
  | "api_key_revoked"
  | "user_deactivated"
  | "user_reactivated"
  | "reset_request_filed"
  | "reset_request_approved"
  | "reset_request_rejected"
  | "browser_remembered"
  | "key_clone_refused"
  | "new_sign_in";

export function notificationFor(type: EventType): Notification | undefined {
  return (notifications as Partial<Record<EventType, Notification>>)[type];
}
