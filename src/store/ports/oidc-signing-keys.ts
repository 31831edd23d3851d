/** One of the provider's signing keys (issue 15): the private JWK sealed by the secret box, AAD `signing-key:<id>`. */
export interface SigningKey {
  /** The JWK's `kid`. */
  id: string;
  privateJwkCiphertext: string;
  createdAt: number;
  /** When a newer key was added (it signs once every instance publishes it); null for the newest. */
  retiredAt: number | null;
}

export interface SigningKeyStore {
  insertSigningKey(key: SigningKey): Promise<void>;
  /** Every key, newest first. */
  listSigningKeys(): Promise<SigningKey[]>;
  /** Marks every other key retired at `now` (those not already retired). */
  retireSigningKeysExcept(id: string, now: number): Promise<number>;
  deleteSigningKey(id: string): Promise<boolean>;
}
