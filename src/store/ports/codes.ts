import type { RecoveryCodeRecord, SmsCode, ProofPurpose } from "../../domain/model.js";

/** Single-use codes: recovery-code sets and sent SMS codes. */
export interface CodeStore {
  replaceRecoveryCodes(userId: string, salt: string, codes: { id: string; codeHash: string }[], now: number): Promise<void>;

  findRecoveryCodes(userId: string): Promise<{ salt: string; codes: RecoveryCodeRecord[] } | undefined>;

  /** Single use (R2, SECURITY 21): true for exactly one caller per code. */
  consumeRecoveryCode(id: string, now: number): Promise<boolean>;

  deleteRecoveryCodes(userId: string): Promise<void>;

  /**
   * Stores a new SMS code and retires every unused code for the same method,
   * purpose and binding in the same write: a resend replaces the old code (SECURITY 24).
   */
  replaceSmsCode(code: SmsCode, now: number): Promise<void>;

  /** The newest unused code for this method, purpose and binding, expired or not. */
  findLatestSmsCode(methodId: string, purpose: ProofPurpose, bindingId: string): Promise<SmsCode | undefined>;

  /** Single use: true for exactly one caller, and only before it expires. */
  consumeSmsCode(id: string, now: number): Promise<boolean>;
}
