/** One browser a user asked not to be asked the second step again on (L7). */
export interface TrustedBrowser {
  /** The SHA-256 hash of the cookie token, never the token; also the browser's id in the API (a hash reveals nothing). */
  tokenHash: string;
  userId: string;
  label: string;
  createdAt: number;
  expiresAt: number;
}

/**
 * L7 "Remember this browser": only the hash of the 256-bit cookie token is
 * stored, bound to one user, with an expiry and a label from the user agent.
 */
export interface TrustedBrowserStore {
  /** Stores a new browser; also drops that user's expired ones and keeps at most the newest few. */
  trustBrowser(browser: TrustedBrowser): Promise<void>;

  /** The live (unexpired) browser with this token hash, or null. */
  findTrustedBrowser(tokenHash: string, now: number): Promise<TrustedBrowser | null>;

  /** A user's live browsers, newest first. */
  listTrustedBrowsers(userId: string, now: number): Promise<TrustedBrowser[]>;

  /** Forgets one browser of this user; false when the user has no such browser. */
  forgetTrustedBrowser(userId: string, tokenHash: string): Promise<boolean>;

  /** Forgets every browser of a user; returns how many there were. */
  forgetUserTrustedBrowsers(userId: string): Promise<number>;
}
