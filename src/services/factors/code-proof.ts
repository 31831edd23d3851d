import { fail, type Result } from "../../domain/errors.js";

/** A six-digit code, spaces ignored (both TOTP and SMS codes have this shape). */
export function parseSixDigitCode(input: unknown): Result<{ proof: string }> {
  const code = typeof input === "string" ? input.replace(/\s/g, "") : "";
  return /^\d{6}$/.test(code) ? { ok: true, proof: code } : fail("invalid_code_format", { field: "code" });
}
