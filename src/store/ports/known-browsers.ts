/**
 * Browsers that completed a login for a user (issue 7: the per-account password
 * delay does not hold them back). Only the SHA-256 hash of the 256-bit cookie
 * token is stored, bound to one user, with an expiry.
 */
export interface KnownBrowserStore {
  /** Stores a new browser token hash; also drops that user's expired ones. */
  recordKnownBrowser(input: { tokenHash: string; userId: string; createdAt: number; expiresAt: number }): Promise<void>;

  /** The user a live (unexpired) browser token belongs to, or null. */
  findKnownBrowser(tokenHash: string, now: number): Promise<{ userId: string } | null>;

  /** Forgets every browser of a user (a password reset or an admin action can call it). */
  forgetUserKnownBrowsers(userId: string): Promise<void>;
}
