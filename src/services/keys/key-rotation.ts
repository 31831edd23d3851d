import type { DepsOf } from "../deps.js";
import { sealedKeyId } from "../../security/secret-box.js";
import { sealedColumns, type SealedColumnName } from "../../store/sealed-columns.js";

/**
 * Key rotation for sealed values (SECURITY 13). A new key is configured as the
 * current one and the old one as previous, so every instance opens both; then
 * this re-seals every value not under the current key, column by column from
 * src/store/sealed-columns.ts, a batch at a time.
 *
 * Each batch is read, re-sealed in memory (same additional data, so a value
 * still opens only in its own row), and written in ONE transaction of
 * conditional writes: killed midway, a batch is either fully old or fully
 * new, and running again picks up what is left. A value a running server
 * changed between the read and the write (a reset, a delete) is not
 * overwritten: the write matches nothing and the value is counted as skipped.
 * A value that does not open is reported by row id, never by content.
 */

export interface RotationFailure {
  column: SealedColumnName;
  id: string;
  reason: string;
}

export interface BatchProgress {
  column: SealedColumnName;
  batch: number;
  rotated: number;
  skipped: number;
  failed: number;
}

export interface RotationResult {
  rotated: number;
  /** Changed by someone else between the read and the write; left as it was. */
  skipped: number;
  failed: RotationFailure[];
}

export interface RotationOptions {
  batchSize: number;
  /** After each committed batch: progress for the operator. */
  onBatch?: (progress: BatchProgress) => void | Promise<void>;
  /** Inside each batch's transaction, after its writes and before the commit (tests crash a batch here). */
  beforeCommit?: () => Promise<void>;
}

type RotationDeps = DepsOf<"secretBox" | "logger", "sealedValues">;

export async function rotateSealedValues(deps: RotationDeps, options: RotationOptions): Promise<RotationResult> {
  if (!Number.isSafeInteger(options.batchSize) || options.batchSize < 1) throw new RangeError("batchSize must be a whole number of at least 1");
  const current = deps.secretBox.currentKeyId;
  const result: RotationResult = { rotated: 0, skipped: 0, failed: [] };
  let batch = 0;
  for (const spec of sealedColumns) {
    let afterId: string | null = null;
    for (;;) {
      const values = await deps.store.sealedValues.listSealedValues(spec.name, { notUnderKeyIds: [current], afterId, limit: options.batchSize });
      if (values.length === 0) break;
      afterId = values[values.length - 1]!.id;
      const resealed: { id: string; old: string; next: string }[] = [];
      const failed: RotationFailure[] = [];
      for (const value of values) {
        const aad = spec.aad(value);
        try {
          const plaintext = deps.secretBox.open(value.ciphertext, aad);
          resealed.push({ id: value.id, old: value.ciphertext, next: deps.secretBox.seal(plaintext, aad) });
          plaintext.fill(0);
        } catch {
          failed.push({ column: spec.name, id: value.id, reason: failureReason(value.ciphertext, deps.secretBox.keyIds) });
        }
      }
      const written = await deps.store.transaction(async (tx) => {
        let rotated = 0;
        for (const value of resealed) if (await tx.sealedValues.replaceSealedValue(spec.name, value.id, value.old, value.next)) rotated++;
        await options.beforeCommit?.();
        return rotated;
      });
      batch++;
      result.rotated += written;
      result.skipped += resealed.length - written;
      result.failed.push(...failed);
      await options.onBatch?.({ column: spec.name, batch, rotated: written, skipped: resealed.length - written, failed: failed.length });
    }
  }
  deps.logger.info({ keyId: current, rotated: result.rotated, skipped: result.skipped, failed: result.failed.length }, "sealed values rotated");
  return result;
}

/** Why a value does not open, from its key id alone (the content is never shown). */
function failureReason(ciphertext: string, keyIds: readonly string[]): string {
  const keyId = sealedKeyId(ciphertext);
  if (keyId === null) return "not a sealed value";
  if (!keyIds.includes(keyId)) return `sealed under key "${keyId}", which is not configured`;
  return `does not open with key "${keyId}" (a different key under the same id, or altered)`;
}

export interface KeyCount {
  keyId: string;
  role: "current" | "previous";
  values: number;
  /** A previous key with no value left under it can be dropped from the configuration. */
  removable: boolean;
}

export interface KeyStatus {
  keys: KeyCount[];
  /** Values under no configured key (keyId null: not a sealed value at all); they cannot be opened. */
  unconfigured: { keyId: string | null; values: number }[];
}

export async function keyStatus(deps: DepsOf<"secretBox", "sealedValues">): Promise<KeyStatus> {
  const configured = deps.secretBox.keyIds;
  const keys: KeyCount[] = [];
  for (const keyId of configured) {
    let values = 0;
    for (const spec of sealedColumns) values += await deps.store.sealedValues.countSealedValues(spec.name, keyId);
    const role = keyId === deps.secretBox.currentKeyId ? "current" : "previous";
    keys.push({ keyId, role, values, removable: role === "previous" && values === 0 });
  }
  // Values under no configured key are normally none, so they are listed and counted here rather than grouped in SQL.
  const strays = new Map<string | null, number>();
  for (const spec of sealedColumns) {
    let afterId: string | null = null;
    for (;;) {
      const page = await deps.store.sealedValues.listSealedValues(spec.name, { notUnderKeyIds: [...configured], afterId, limit: 1000 });
      if (page.length === 0) break;
      afterId = page[page.length - 1]!.id;
      for (const value of page) {
        const keyId = sealedKeyId(value.ciphertext);
        strays.set(keyId, (strays.get(keyId) ?? 0) + 1);
      }
    }
  }
  return { keys, unconfigured: [...strays].map(([keyId, values]) => ({ keyId, values })) };
}
