import type { Method } from "../../domain/model.js";

/** Second-factor methods: pending and active, the default, TOTP replay steps. */
export interface MethodStore {
  listMethods(userId: string): Promise<Method[]>;

  findMethod(id: string): Promise<Method | undefined>;

  /** Stores a method; a `credentialId` already held by another method is refused (unique), with a thrown error. */
  insertMethod(method: Method): Promise<void>;

  /**
   * Makes a pending method active and the default (M3), claiming `step` as its
   * last used step. Returns false when the method is no longer pending or its
   * pending time is over.
   */
  activateMethod(id: string, step: number | null, now: number): Promise<boolean>;

  /** Replay protection (SECURITY 4): succeeds only if `step` is above the stored one. */
  claimTotpStep(methodId: string, step: number, now: number): Promise<boolean>;

  /**
   * WebAuthn: the signature counter works like a TOTP step (SECURITY 4, and a
   * cloned authenticator): succeeds only if `counter` is above the stored one,
   * or, for an authenticator that keeps no counter, when both are 0 (or none is
   * stored yet). Also sets the last-used time. Active methods only.
   */
  claimSignatureCounter(methodId: string, counter: number, now: number): Promise<boolean>;

  /** The method (any status, any user) holding this WebAuthn credential id. */
  findMethodByCredentialId(credentialId: string): Promise<Method | undefined>;

  deleteMethod(id: string): Promise<void>;

  renameMethod(id: string, name: string): Promise<void>;

  /** Sets a method's last-used time (M4); TOTP does this in claimTotpStep. */
  markMethodUsed(id: string, now: number): Promise<void>;

  /** M3: makes `methodId` (an active method of `userId`) the only default; false if it is not one. */
  setDefaultMethod(userId: string, methodId: string): Promise<boolean>;

  deletePendingMethods(userId: string): Promise<void>;

  deleteAllMethods(userId: string): Promise<void>;
}
