/**
 * What a set-password link is for: `reset` (PR1, "Forgot password?") or
 * `invitation` (A1, a new user's first password). Both work the same way; the
 * page and the event log say which it was.
 */
export type PasswordLinkPurpose = "reset" | "invitation";

/** A live link: whose it is and what it is for. */
export interface LivePasswordLink {
  userId: string;
  purpose: PasswordLinkPurpose;
}

/**
 * PR1: password reset links (and A1's invitation links, the same machinery).
 * Only the SHA-256 hash of the 256-bit token is stored (SECURITY 15), bound to
 * one user, with an expiry; `consume` is the link's single use.
 */
export interface PasswordResetStore {
  insertPasswordReset(reset: { id: string; userId: string; tokenHash: string; purpose: PasswordLinkPurpose; createdAt: number; expiresAt: number }): Promise<void>;

  /** The user of a live (unused, unexpired) link, without using it: the page that asks for the new password. */
  findLivePasswordReset(tokenHash: string, now: number): Promise<LivePasswordLink | null>;

  /** Single use: the link's user for exactly one caller, and only while unused and before `expiresAt`; null otherwise. */
  consumePasswordReset(tokenHash: string, now: number): Promise<LivePasswordLink | null>;

  /** Retires every unused link of the user (one link was used: the others must not outlive it). */
  retireUserPasswordResets(userId: string, now: number): Promise<void>;
}
