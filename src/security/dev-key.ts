import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

/**
 * In development only: a key generated once into the data folder, so the quick
 * start needs no setup. Production refuses to start without TWOSTEP_ENCRYPTION_KEY.
 */
export function loadOrCreateDevelopmentKey(dataDir: string, warn: (message: string) => void): string {
  const path = join(dataDir, "encryption.key");
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString("base64");
  writeFileSync(path, key + "\n", { mode: 0o600 });
  warn(`generated a development encryption key in ${path}; set TWOSTEP_ENCRYPTION_KEY in production`);
  return key;
}
