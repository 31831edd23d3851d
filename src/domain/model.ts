/** The records the whole SPEC is built from. Times are milliseconds since the epoch. */

export type AccountKind = "platform" | "reseller" | "customer";
/** `support` exists only in the platform account; `admin` may manage users of its account. */
export type Role = "support" | "admin" | "member";
/** The one list of second-factor types; each has a folder in src/services/factors and a line in its registry. */
export const methodTypes = ["totp", "sms", "webauthn"] as const;
export type MethodType = (typeof methodTypes)[number];
export type RecoveryCodePolicy = "keep" | "disable";

export interface Account {
  id: string;
  kind: AccountKind;
  name: string;
  /** The reseller a customer account belongs to; the platform for a reseller; null for the platform. */
  parentId: string | null;
  createdAt: number;
}

export interface User {
  id: string;
  accountId: string;
  email: string;
  displayName: string;
  role: Role;
  passwordHash: string;
  active: boolean;
  createdAt: number;
}

export interface Method {
  id: string;
  userId: string;
  type: MethodType;
  name: string;
  /** pending until the user enters a valid code for it (SECURITY 16). */
  status: "pending" | "active";
  isDefault: boolean;
  /** AES-256-GCM ciphertext of the TOTP key or phone number; never leaves the services layer decrypted. */
  secretCiphertext: string;
  /** The last accepted TOTP step: only a strictly greater one may pass (replay, SECURITY 4). */
  lastUsedStep: number | null;
  /** For a reset: the active method this pending one will replace once confirmed (M4). */
  replacesMethodId: string | null;
  createdAt: number;
  confirmedAt: number | null;
  lastUsedAt: number | null;
  /** A pending method dies at this time. */
  pendingExpiresAt: number | null;
  /** What may be shown of the secret: the masked phone number for SMS; null for TOTP. */
  displayHint: string | null;
  /**
   * A security key's or passkey's credential id (base64url), unique across all
   * users; only WebAuthn methods have one. Its public key is the sealed secret
   * and `lastUsedStep` is its signature counter.
   */
  credentialId?: string;
}

/**
 * What a sent SMS code or an issued WebAuthn challenge is for: a login's second
 * step, confirming a new method, or verifying the user (step-up, reset, delete).
 * A proof only verifies for the same purpose and binding. (Once named for SMS alone,
 * though challenges used it too.)
 */
export type ProofPurpose = "login" | "enrol" | "verify";

export interface SmsCode {
  id: string;
  userId: string;
  methodId: string;
  purpose: ProofPurpose;
  /** The login flow, pending method or session the code was sent for (SECURITY 24). */
  bindingId: string;
  codeHash: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface OutboxMessage {
  id: string;
  channel: string;
  recipient: string;
  subject: string | null;
  body: string;
  createdAt: number;
}

export interface Session {
  id: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  /**
   * Time of the last full authentication: password and, with 2FA, the second factor (step-up, SECURITY 29).
   * 0 when the session began without the second factor of a 2FA user (a trusted browser, L7): no window yet.
   */
  authenticatedAt: number;
  /** Set when the login used a recovery code under the `keep` policy: the next page recommends a reset. */
  recoveryCodeUsed: boolean;
  /** When the session was last used (issue 17): written at most once a minute, so up to a minute old. */
  lastActiveAt: number;
}

/** See src/domain/login-flow/state-diagram.md. */
export type LoginFlowState = "second_factor" | "enrolment_required" | "recovery_codes_shown" | "completed";

export interface LoginFlow {
  id: string;
  userId: string;
  state: LoginFlowState;
  /** The method the second step shows; null while on the recovery-code form. */
  methodId: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface RecoveryCodeRecord {
  id: string;
  userId: string;
  codeHash: string;
  usedAt: number | null;
}

export interface SecurityEvent {
  id: string;
  accountId: string;
  actorUserId: string | null;
  subjectUserId: string | null;
  type: EventType;
  detail: Record<string, string | number | boolean>;
  clientAddress: string | null;
  userAgent: string | null;
  createdAt: number;
}

/** Every security event of the SPEC (A4); this slice writes the first group. */
export type EventType =
  | "login.succeeded"
  | "login.password_failed"
  | "login.second_factor_failed"
  | "login.locked_out"
  | "verification.failed"
  | "login.recovery_code_used"
  | "logout"
  | "two_factor.enabled"
  | "two_factor.disabled"
  | "method.added"
  | "method.removed"
  | "method.made_default"
  | "method.reset"
  /** A security key's signature counter did not move on: a copy of the key (or a replay) was refused. */
  | "method.clone_refused"
  | "method.renamed"
  | "recovery_codes.generated"
  | "password.changed"
  | "password.reset"
  /** A1: an invited user chose their first password with the invitation's link (no email: they just did it). */
  | "password.set"
  | "user.created"
  | "user.deactivated"
  | "user.reactivated"
  | "policy.changed"
  | "login.enrolment_required"
  | "two_factor.reminder"
  /** The per-account password limit tripped (first lock of a run); tell the user by email. */
  | "login.password_throttled"
  /** The access table (domain/access.ts) refused an action; in the actor's own log. */
  | "access.denied"
  /** "Confirm it's you": the session passed a fresh factor (sudo mode, SECURITY 29). */
  | "session.confirmed"
  /** API1: a key was made or revoked (detail: its name and id, never the key). */
  | "api_key.created"
  | "api_key.revoked"
  /** A2: an account admin asked platform support to reset the user's 2FA (lost device, no codes). */
  | "two_factor.reset_requested"
  /** A2: support approved the request; the user's 2FA was removed (`two_factor.disabled` follows). */
  | "two_factor.reset_approved"
  /** A2: support rejected the request, with a reason. */
  | "two_factor.reset_rejected"
  /** L7: the user ticked "Don't ask again on this browser" (detail: the browser's label and the days; never the token). */
  | "browser.remembered"
  /** L7: a trusted browser skipped the second step after the right password. */
  | "browser.remembered_login"
  /** L7: trusted browsers were forgotten (detail: how many, and why). */
  | "browser.forgotten"
  /** Issue 17: a browser that had not signed in to this user before completed a login (detail: browser, OS, place; the email when the policy says so). */
  | "login.new_browser"
  /** Issue 17: "Sign out" of one session on "Where you're signed in" (detail: which session, and whether it was this one). */
  | "session.ended"
  /** Issue 17: "Sign out everywhere else" (detail: how many sessions ended). */
  | "session.others_ended"
  /** Issue 17: an admin signed a user out everywhere (detail: how many sessions ended). */
  | "session.all_ended"
  /** Issue 15: an app's sign-in finished with this user (detail: the app's name and id, the acr; never a token). */
  | "app.signed_in"
  /** Issue 15: the user signed out of one app from the security page (detail: the app's name and id); its back-channel logout is queued. */
  | "app.signed_out";
