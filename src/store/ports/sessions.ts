import type { Account, LoginFlow, LoginFlowState, Method, MethodType, Session, User } from "../../domain/model.js";
import type { AttemptCount, ClientInfo, LockSchedule } from "./shared.js";

/**
 * What `findLoginAttempt` counts in the same round trip (issue 16): the attempt counters of a
 * second step (`countAttempt`'s upserts), counted before the code is checked, and only when the
 * attempt would be checked: the flow waits for a second factor and has not expired at `now`, its
 * user is active, and the method found is of one of `methodTypes` (those whose proof the request's
 * input parses as: a malformed proof counts nothing).
 */
export interface AttemptToCount {
  now: number;
  methodTypes: readonly MethodType[];
  /** The client address's counter, counted first; null: the request has no address. */
  address: { key: string; schedule: LockSchedule } | null;
  /** The user's counter, keyed `keyPrefix` + the flow's user id; counted only when the address was (or there is none). */
  user: { keyPrefix: string; schedule: LockSchedule };
}

/** What was counted: null when the attempt would not be checked (nothing counted). */
export interface AttemptCounts {
  /** The address's count (null: no address). */
  address: AttemptCount | null;
  /** The user's count; null when the address was locked (the user then is not counted). */
  user: AttemptCount | null;
}

/** A session as "Where you're signed in" lists it: with the address and user agent it began from. */
export interface SessionWithClient extends ClientInfo {
  session: Session;
}

/** Sessions and the pending login flows that lead to them. */
export interface SessionStore {
  /** Its `lastActiveAt` is its `createdAt`. */
  insertSession(session: Omit<Session, "lastActiveAt">, tokenHash: string, client: ClientInfo): Promise<void>;

  /** A live session (not revoked, not expired) by token hash, with its user and the user's account, in one read. */
  findLiveSession(tokenHash: string, now: number): Promise<{ session: Session; user: User; account: Account } | undefined>;

  revokeSession(id: string, now: number): Promise<void>;

  /** SECURITY 30: ends every other live session of the user; returns how many ended. */
  revokeUserSessions(userId: string, now: number, exceptSessionId?: string): Promise<number>;

  /** Issue 17: ends one live session of this user; false when it is not theirs, already ended or expired. */
  revokeUserSession(userId: string, sessionId: string, now: number): Promise<boolean>;

  /** Issue 17: the user's live sessions with the client each began from, the most recently active first. */
  listUserSessions(userId: string, now: number): Promise<SessionWithClient[]>;

  /** Issue 17: sets `lastActiveAt` to `now` only when it is at or before `notAfter` (one write a minute, whoever races). */
  touchSession(id: string, now: number, notAfter: number): Promise<void>;

  markSessionAuthenticated(id: string, now: number): Promise<void>;

  /**
   * Ends every pending login flow of the user (expires it now): a reset, a password change or a
   * deactivation must not leave a login begun before it that a right code could still finish.
   */
  endUserLoginFlows(userId: string, now: number): Promise<void>;

  insertLoginFlow(flow: LoginFlow, tokenHash: string): Promise<void>;

  findLoginFlowByTokenHash(tokenHash: string): Promise<LoginFlow | undefined>;

  setLoginFlowMethod(id: string, methodId: string | null): Promise<void>;

  /** One conditional write: moves the flow to `flow`'s state, method and expiry only while it is in `from` and unexpired. */
  advanceLoginFlow(flow: LoginFlow, from: LoginFlowState, now: number): Promise<boolean>;

  /** Single use: true for exactly one caller, and only before `expiresAt`. */
  completeLoginFlow(id: string, now: number): Promise<boolean>;

  /** The second step's one read: the flow by token hash, its user and the user's active methods (oldest first). */
  findLoginContext(tokenHash: string): Promise<{ flow: LoginFlow; user: User; activeMethods: Method[] } | undefined>;

  /**
   * The code check's one read: the flow by token hash, its user, and the method the code is for
   * (`methodId`, else the flow's current method) when it is that user's own active method.
   * Inside a transaction on PostgreSQL the flow row is locked (FOR UPDATE). With `count`, the
   * attempt counters too, in the same statement on PostgreSQL (one round trip: the read, the
   * address's upsert and the user's); `counts` says what was counted (null without `count`).
   */
  findLoginAttempt(
    tokenHash: string,
    methodId: string | null,
    count?: AttemptToCount,
  ): Promise<{ flow: LoginFlow; user: User; method: Method | undefined; counts: AttemptCounts | null } | undefined>;
}
