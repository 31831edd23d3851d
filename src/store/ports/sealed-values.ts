import type { SealedColumnName } from "../sealed-columns.js";

/** One sealed value: its column, the id of its row and the ciphertext as stored. */
export interface SealedValue {
  column: SealedColumnName;
  id: string;
  ciphertext: string;
}

/**
 * The sealed columns listed in src/store/sealed-columns.ts, seen by key id
 * (the second dot-separated field of `v1.<keyId>.<iv>.<tag>.<body>`): what key
 * rotation and `keys:status` need, and nothing that reads a plaintext.
 */
export interface SealedValueStore {
  /**
   * Up to `limit` values of `column` under none of `notUnderKeyIds` (malformed
   * values included), ordered by row id, after `afterId` (keyset pagination).
   */
  listSealedValues(column: SealedColumnName, filter: { notUnderKeyIds: string[]; afterId: string | null; limit: number }): Promise<SealedValue[]>;

  /** How many values of `column` are under `keyId`. */
  countSealedValues(column: SealedColumnName, keyId: string): Promise<number>;

  /**
   * Replaces one value only if it still is `expectedOld`, in one conditional
   * write: a value a running server changed meanwhile (a reset, a delete) is
   * never overwritten. False when nothing matched.
   */
  replaceSealedValue(column: SealedColumnName, id: string, expectedOld: string, next: string): Promise<boolean>;
}
