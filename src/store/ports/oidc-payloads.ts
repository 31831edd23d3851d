/**
 * What the OpenID Connect provider stores (issue 15): one row per model
 * instance (`Session`, `AccessToken`, `AuthorizationCode`, `RefreshToken`,
 * `Grant`, `Interaction`, …). Rows are keyed by the SHA-256 of the id, never
 * the id: an opaque token's id is the token itself.
 */
export interface OidcPayload {
  model: string;
  idHash: string;
  /** The model's JSON, without its `jti` (the id, which the caller puts back). */
  payload: string;
  grantId: string | null;
  uid: string | null;
  userCode: string | null;
  accountId: string | null;
  /** Milliseconds; null for a row that does not expire by itself. */
  expiresAt: number | null;
}

export interface StoredOidcPayload extends OidcPayload {
  consumedAt: number | null;
}

export interface OidcPayloadStore {
  /** Inserts or replaces a row; a replaced row keeps its `consumedAt` (a consumed code stays consumed). */
  upsertOidcPayload(row: OidcPayload): Promise<void>;

  /** The live (unexpired at `now`) row, or null. */
  findOidcPayload(model: string, idHash: string, now: number): Promise<StoredOidcPayload | null>;

  findOidcPayloadByUid(model: string, uid: string, now: number): Promise<StoredOidcPayload | null>;

  findOidcPayloadByUserCode(model: string, userCode: string, now: number): Promise<StoredOidcPayload | null>;

  /** A user's live rows of one model (their provider sessions, for logout everywhere). */
  listOidcPayloadsByAccount(model: string, accountId: string, now: number): Promise<StoredOidcPayload[]>;

  /**
   * Marks a row consumed: one conditional write (`WHERE consumed_at IS NULL`),
   * so of two racing consumers exactly one gets true. False also when there is
   * no live row.
   */
  consumeOidcPayload(model: string, idHash: string, now: number): Promise<boolean>;

  destroyOidcPayload(model: string, idHash: string): Promise<void>;

  /** Deletes every row of every model issued under a grant; returns how many. */
  revokeOidcPayloadsByGrantId(grantId: string): Promise<number>;

  /** Deletes rows that expired before `now`; returns how many. */
  deleteExpiredOidcPayloads(now: number): Promise<number>;
}
