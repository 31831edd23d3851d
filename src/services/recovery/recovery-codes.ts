import type { RecoveryDeps, RecoveryPorts } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import type { User } from "../../domain/model.js";
import { formatRecoveryCode, recoveryCodeBytes, recoveryCodeCount, recoveryCodeFromBytes } from "../../domain/recovery-codes.js";
import { findHashIndex } from "../../security/recovery-code-hash.js";
import type { RequestContext } from "../deps.js";
import { recordEvent } from "../events/audit.js";
import { reauthenticate } from "../sessions/reauthenticate.js";
import type { Authenticated } from "../sessions/sessions.js";
import { requireOwnStepUp } from "../sessions/step-up.js";

export interface PreparedRecoveryCodes {
  /** Formatted codes to show exactly once (R1); never stored. */
  codes: string[];
  salt: string;
  hashed: { id: string; codeHash: string }[];
}

/** Makes a new set and hashes it. Slow (argon2 per code), so it runs before the transaction that stores it. */
export async function prepareRecoveryCodes(deps: RecoveryDeps): Promise<PreparedRecoveryCodes> {
  const salt = deps.randomBytes(16);
  const codes = Array.from({ length: recoveryCodeCount }, () => recoveryCodeFromBytes(deps.randomBytes(recoveryCodeBytes)));
  const hashed = await Promise.all(codes.map(async (code) => ({ id: deps.newId(), codeHash: await deps.recoveryCodeHasher.hash(code, salt) })));
  return { codes: codes.map(formatRecoveryCode), salt: salt.toString("base64"), hashed };
}

/** Stores a prepared set, replacing the old one in the same write (R3: the old set dies at once). */
export async function storeRecoveryCodes(deps: RecoveryDeps, store: RecoveryPorts, user: User, prepared: PreparedRecoveryCodes, context: RequestContext): Promise<void> {
  await store.codes.replaceRecoveryCodes(user.id, prepared.salt, prepared.hashed, deps.clock.now());
  await recordEvent(deps, store, { type: "recovery_codes.generated", subject: user, context, detail: { count: prepared.hashed.length } });
}

/**
 * R3: a new set, after a current code of one of the user's methods (a second
 * factor right now), or the password in a session that passed a second factor
 * within the step-up window (SECURITY 17, 29).
 */
export async function regenerateRecoveryCodes(
  deps: RecoveryDeps,
  auth: Authenticated,
  proof: { password?: string; code?: string },
  context: RequestContext,
): Promise<Result<{ codes: string[] }>> {
  const methods = activeMethods(await deps.store.methods.listMethods(auth.user.id));
  if (methods.length === 0) return fail("two_factor_not_enabled");
  const byCode = !proof.password && Boolean(proof.code?.trim());
  if (!byCode) {
    const stale = await requireOwnStepUp(deps, auth);
    if (!stale.ok) return stale;
  }
  const problem = await reauthenticate(deps, auth, byCode ? { code: proof.code } : { password: proof.password }, context);
  if (!problem.ok) return problem;
  const prepared = await prepareRecoveryCodes(deps);
  await deps.store.transaction((store) => storeRecoveryCodes(deps, store, auth.user, prepared, context));
  return { ok: true, codes: prepared.codes };
}

/**
 * Finds `normalizedCode` among *this user's* unused codes (SECURITY 22): one
 * slow hash, then constant-time compares. Spends nothing: the caller consumes
 * the match with `store.codes.consumeRecoveryCode` (one conditional write, so racing
 * requests with one code give one success, R2) in the same transaction as the
 * change the code pays for, so a login that cannot finish spends no code.
 */
export async function findRecoveryCode(deps: RecoveryDeps, user: User, normalizedCode: string): Promise<{ id: string; codesLeft: number } | null> {
  const set = await deps.store.codes.findRecoveryCodes(user.id);
  if (!set) return null;
  const unused = set.codes.filter((code) => code.usedAt === null);
  const candidate = await deps.recoveryCodeHasher.hash(normalizedCode, Buffer.from(set.salt, "base64"));
  const index = findHashIndex(candidate, unused.map((code) => code.codeHash));
  const match = unused[index];
  return match ? { id: match.id, codesLeft: unused.length - 1 } : null;
}

export async function countRecoveryCodes(deps: RecoveryDeps, user: User): Promise<{ unused: number; total: number }> {
  const set = await deps.store.codes.findRecoveryCodes(user.id);
  if (!set) return { unused: 0, total: 0 };
  return { unused: set.codes.filter((code) => code.usedAt === null).length, total: set.codes.length };
}
