import type { ProofPurpose } from "../../domain/model.js";

/**
 * A WebAuthn challenge the server issued: only its SHA-256 hash is kept, bound
 * to a user, a purpose and what asked for it (the login flow, the session that
 * is adding a key, the session confirming one), like a sent SMS code (SECURITY 24).
 */
export interface IssuedChallenge {
  id: string;
  userId: string;
  purpose: ProofPurpose;
  bindingId: string;
  challengeHash: string;
  createdAt: number;
  expiresAt: number;
}

/** WebAuthn challenges: single use, bound, short-lived. */
export interface ChallengeStore {
  /** Stores a new challenge and retires every unused one for the same user, purpose and binding in the same write. */
  replaceChallenge(challenge: IssuedChallenge): Promise<void>;

  /**
   * Single use: true for exactly one caller, and only while the challenge with
   * this hash is unused, unexpired and issued for this user, purpose and binding.
   */
  consumeChallenge(input: { userId: string; purpose: ProofPurpose; bindingId: string; challengeHash: string }, now: number): Promise<boolean>;

  /** Deletes a user's challenges that are used or expired before `now`; returns how many. */
  deleteStaleChallenges(userId: string, now: number): Promise<number>;
}
