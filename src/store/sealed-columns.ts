/**
 * Every column that holds a value sealed by the secret box (SECURITY 13), in
 * one place: key rotation (src/services/keys/key-rotation.ts) and the key status
 * walk exactly these. Anything sealed later is one line here, naming the
 * table, its id column, the sealed column and the additional data (AAD) it
 * was sealed with. The AAD must be the one the writer used, or nothing opens.
 */
export interface SealedColumn {
  /** How commands and reports name the column: "table.column". */
  name: string;
  table: string;
  idColumn: string;
  column: string;
  /** The context the value was sealed with (bound as AES-GCM additional data). */
  aad(row: { id: string }): string;
}

export const sealedColumns = [
  // TOTP seeds and SMS phone numbers; sealed with the method id (src/services/enrolment/method-activation.ts).
  { name: "methods.secret_ciphertext", table: "methods", idColumn: "id", column: "secret_ciphertext", aad: (row) => row.id },
  // The OpenID Connect provider's private signing keys (src/services/apps/signing-keys.ts).
  { name: "oidc_signing_keys.private_jwk_ciphertext", table: "oidc_signing_keys", idColumn: "id", column: "private_jwk_ciphertext", aad: (row) => `signing-key:${row.id}` },
] as const satisfies readonly SealedColumn[];

export type SealedColumnName = (typeof sealedColumns)[number]["name"];

export function sealedColumn(name: SealedColumnName): SealedColumn {
  const found = sealedColumns.find((entry) => entry.name === name);
  if (!found) throw new Error(`no sealed column is named "${name}"`);
  return found;
}
