import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Authenticated encryption for secrets at rest (SECURITY 13): AES-256-GCM with
 * a 96-bit random IV. The ciphertext names its key id, so keys can be rotated:
 * new writes use the current key, old rows still open with a previous one.
 * `context` is bound as additional data (e.g. the method id), so a ciphertext
 * copied into another row does not decrypt.
 */
export interface SecretBox {
  seal(plaintext: Uint8Array, context: string): string;
  open(sealed: string, context: string): Buffer;
  currentKeyId: string;
  /** Every key id that opens: the current one first, then the previous ones. */
  keyIds: readonly string[];
}

/** The key id a sealed value names (`v1.<keyId>.…`), or null if it is not a sealed value. Reads no secret. */
export function sealedKeyId(sealed: string): string | null {
  const [version, keyId, iv, tag, body] = sealed.split(".");
  return version === "v1" && keyId && iv && tag && body !== undefined ? keyId : null;
}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export function decodeEncryptionKey(id: string, base64: string): EncryptionKey {
  const key = Buffer.from(base64, "base64");
  if (key.length !== 32) throw new Error(`encryption key "${id}" must be base64 of exactly 32 bytes`);
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`encryption key id "${id}" may only use letters, digits, _ and -`);
  return { id, key };
}

export function createSecretBox(current: EncryptionKey, previous: EncryptionKey[] = []): SecretBox {
  const keys = new Map([...previous, current].map((entry) => [entry.id, entry.key]));
  return {
    currentKeyId: current.id,
    keyIds: [current.id, ...previous.map((entry) => entry.id).filter((id) => id !== current.id)],
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", current.key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return ["v1", current.id, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
    },
    open(sealed, context) {
      const [version, keyId, iv, tag, body] = sealed.split(".");
      if (version !== "v1" || !keyId || !iv || !tag || body === undefined) throw new Error("not a sealed secret");
      const key = keys.get(keyId);
      if (!key) throw new Error(`no encryption key with id "${keyId}" is configured`);
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]);
    },
  };
}
