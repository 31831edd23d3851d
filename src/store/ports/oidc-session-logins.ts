/** How a twostep session was made (issue 15): the factor its login ended with, e.g. `totp`, `webauthn`, `remembered_browser`. */
export interface SessionLogin {
  sessionId: string;
  factor: string;
  createdAt: number;
}

export interface SessionLoginStore {
  recordSessionLogin(login: SessionLogin): Promise<void>;
  findSessionLogin(sessionId: string): Promise<SessionLogin | null>;
  /** Whether the user holds a live (unrevoked, unexpired) twostep session made within [fromMs, toMs]. */
  hasLiveSessionMadeBetween(userId: string, fromMs: number, toMs: number, now: number): Promise<boolean>;

  /** Records (or moves) the twostep session a provider session's apps signed in through. */
  linkProviderSession(providerSessionUid: string, sessionId: string, at: number): Promise<void>;

  /** The links of these provider sessions (none for an unknown uid). */
  findProviderSessionLinks(providerSessionUids: string[]): Promise<{ providerSessionUid: string; sessionId: string }[]>;

  unlinkProviderSession(providerSessionUid: string): Promise<void>;

  /**
   * Deletes the login records and provider-session links of twostep sessions that ended (revoked or expired) at or
   * before `endedBy`, or that no longer exist; returns how many rows went. A live session's rows stay.
   */
  deleteRecordsOfSessionsEndedBy(endedBy: number): Promise<number>;
}
