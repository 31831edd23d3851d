/** API1: one API key as stored. Never the key: its SHA-256 hash, and the parts shown in lists. */
export interface ApiKey {
  id: string;
  userId: string;
  name: string;
  /** The key's public start (`tsk_` and its public id) and last four characters, for telling keys apart. */
  displayPrefix: string;
  last4: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** null: never expires (not made by the services, which always set one). */
  expiresAt: number | null;
  revokedAt: number | null;
  revokedByUserId: string | null;
}

export interface NewApiKey {
  id: string;
  userId: string;
  name: string;
  keyHash: string;
  displayPrefix: string;
  last4: string;
  createdAt: number;
  expiresAt: number;
}

/**
 * API keys by user and by hash (SECURITY 15: only the SHA-256 of the whole
 * key is stored, and a request's key is found by hashing it).
 */
export interface ApiKeyStore {
  insertApiKey(key: NewApiKey): Promise<void>;

  /** Every key of the user, revoked and expired ones too, newest first. */
  listUserApiKeys(userId: string): Promise<ApiKey[]>;

  findApiKeyById(id: string): Promise<ApiKey | undefined>;

  /** A key that works now: not revoked, not expired, and its user active; undefined otherwise. */
  findUsableApiKey(keyHash: string, now: number): Promise<ApiKey | undefined>;

  /** Records a use; writes at most once a minute per key, so a busy key costs no write per request. */
  touchApiKey(id: string, now: number): Promise<void>;

  /** One conditional write: true for the one caller that revoked a live key, false if it already was. */
  revokeApiKey(id: string, revokedByUserId: string, now: number): Promise<boolean>;
}
