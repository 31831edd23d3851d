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
}
