import type { Account, LoginFlow, Method, OutboxMessage, RecoveryCodeRecord, SecurityEvent, Session, SmsCode, SmsPurpose, User } from "../domain/model.js";
import type { PolicyAudience, PolicyLayer } from "../domain/policy.js";

/**
 * The one storage interface. SQLite (embedded default) and PostgreSQL
 * (production) implement it with the same SQL; both pass the conformance suite
 * in `conformance.ts`. Every "single use" operation here is one conditional
 * write, so two racing requests cannot both win.
 */
export interface Store {
  /** Runs `work` in one transaction: all of its writes land, or none do. */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;

  insertAccount(account: Account): Promise<void>;
  findAccountById(id: string): Promise<Account | undefined>;
  findAccountByName(name: string): Promise<Account | undefined>;

  insertUser(user: User): Promise<void>;
  findUserById(id: string): Promise<User | undefined>;
  /** Emails are stored lower-cased; pass a lower-cased email. */
  findUserByEmail(email: string): Promise<User | undefined>;
  updatePasswordHash(userId: string, passwordHash: string): Promise<void>;

  /** Policy rows for (account, audience) pairs, in the order asked; missing rows are skipped. */
  findPolicyLayers(keys: { accountId: string; audience: PolicyAudience }[]): Promise<PolicyLayer[]>;
  savePolicyLayer(accountId: string, audience: PolicyAudience, layer: PolicyLayer, now: number): Promise<void>;

  listMethods(userId: string): Promise<Method[]>;
  findMethod(id: string): Promise<Method | undefined>;
  insertMethod(method: Method): Promise<void>;
  /**
   * Makes a pending method active and the default (M3), claiming `step` as its
   * last used step. Returns false when the method is no longer pending or its
   * pending time is over.
   */
  activateMethod(id: string, step: number | null, now: number): Promise<boolean>;
  /** Replay protection (SECURITY 4): succeeds only if `step` is above the stored one. */
  claimTotpStep(methodId: string, step: number, now: number): Promise<boolean>;
  deleteMethod(id: string): Promise<void>;
  renameMethod(id: string, name: string): Promise<void>;
  /** Sets a method's last-used time (M4); TOTP does this in claimTotpStep. */
  markMethodUsed(id: string, now: number): Promise<void>;
  /** M3: makes `methodId` (an active method of `userId`) the only default; false if it is not one. */
  setDefaultMethod(userId: string, methodId: string): Promise<boolean>;
  deletePendingMethods(userId: string): Promise<void>;
  deleteAllMethods(userId: string): Promise<void>;

  replaceRecoveryCodes(userId: string, salt: string, codes: { id: string; codeHash: string }[], now: number): Promise<void>;
  findRecoveryCodes(userId: string): Promise<{ salt: string; codes: RecoveryCodeRecord[] } | undefined>;
  /** Single use (R2, SECURITY 21): true for exactly one caller per code. */
  consumeRecoveryCode(id: string, now: number): Promise<boolean>;
  deleteRecoveryCodes(userId: string): Promise<void>;

  insertSession(session: Session, tokenHash: string, client: ClientInfo): Promise<void>;
  findSessionByTokenHash(tokenHash: string, now: number): Promise<Session | undefined>;
  revokeSession(id: string, now: number): Promise<void>;
  /** SECURITY 30: ends every other live session of the user. */
  revokeUserSessions(userId: string, now: number, exceptSessionId?: string): Promise<void>;
  markSessionAuthenticated(id: string, now: number): Promise<void>;

  insertLoginFlow(flow: LoginFlow, tokenHash: string): Promise<void>;
  findLoginFlowByTokenHash(tokenHash: string): Promise<LoginFlow | undefined>;
  setLoginFlowMethod(id: string, methodId: string | null): Promise<void>;
  /** Single use: true for exactly one caller, and only before `expiresAt`. */
  completeLoginFlow(id: string, now: number): Promise<boolean>;

  /**
   * Counts one attempt against `key` unless it is locked, in one statement, and
   * applies the lock schedule (failure count → lock seconds) in the same write.
   */
  countAttempt(key: string, now: number, schedule: LockSchedule): Promise<AttemptCount>;
  clearAttempts(key: string): Promise<void>;
  /** Gives back one counted attempt (a success on a shared counter such as a client address). */
  refundAttempt(key: string, now: number): Promise<void>;

  /**
   * Stores a new SMS code and retires every unused code for the same method,
   * purpose and binding in the same write: a resend replaces the old code (SECURITY 24).
   */
  replaceSmsCode(code: SmsCode, now: number): Promise<void>;
  /** The newest unused code for this method, purpose and binding, expired or not. */
  findLatestSmsCode(methodId: string, purpose: SmsPurpose, bindingId: string): Promise<SmsCode | undefined>;
  /** Single use: true for exactly one caller, and only before it expires. */
  consumeSmsCode(id: string, now: number): Promise<boolean>;

  /**
   * Counts one event against `key` in a fixed window of `windowSeconds` and returns
   * the count so far in this window, in one statement (send limits, SECURITY 25).
   */
  countInWindow(key: string, now: number, windowSeconds: number): Promise<{ count: number; windowStart: number }>;

  /** The development outbox (never used in production). */
  insertOutboxMessage(message: OutboxMessage): Promise<void>;
  listOutboxMessages(limit: number): Promise<OutboxMessage[]>;

  appendEvent(event: SecurityEvent): Promise<void>;
  listEvents(filter: { subjectUserId?: string; accountId?: string; limit: number }): Promise<SecurityEvent[]>;
}

export interface ClientInfo {
  clientAddress: string | null;
  userAgent: string | null;
}

export interface LockSchedule {
  /** Rows sorted by failures; the last row's lock applies to every higher count. */
  rows: { failures: number; lockSeconds: number }[];
}

export type AttemptCount =
  | { allowed: true; failures: number; lockedUntil: number | null }
  | { allowed: false; lockedUntil: number };
