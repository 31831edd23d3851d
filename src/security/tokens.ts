import { hash, randomBytes } from "node:crypto";

/** Session, login-flow, reset and API tokens: 256 random bits (SECURITY 15). */
export function createToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Tokens are stored only as SHA-256 hashes. A fast hash is enough here because
 * the input has 256 bits of entropy; the lookup is by hash, so no comparison
 * of secrets happens in application code.
 */
export function hashToken(token: string): string {
  return hash("sha256", token, "base64url");
}

/** Cheap shape check before any lookup: our tokens are 43 base64url characters. */
export function isTokenShaped(token: unknown): token is string {
  return typeof token === "string" && /^[A-Za-z0-9_-]{43}$/.test(token);
}
