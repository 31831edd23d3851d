/**
 * RFC 6238 Appendix B: TOTP, 30 s, T0 = 0, 8 digits, SHA1/SHA256/SHA512,
 * including t = 20000000000 (past 2038, SECURITY 1) — the truncation offset
 * comes from the last HMAC byte, which is what makes SHA-256/512 work (SECURITY 2).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HashAlgorithm } from "../../src/domain/otp/hotp.js";
import { generateTotp, totpStep } from "../../src/domain/otp/totp.js";

const seeds: Record<HashAlgorithm, Buffer> = {
  SHA1: Buffer.from("12345678901234567890", "ascii"),
  SHA256: Buffer.from("12345678901234567890123456789012", "ascii"),
  SHA512: Buffer.from("1234567890123456789012345678901234567890123456789012345678901234", "ascii"),
};

const table: [number, Record<HashAlgorithm, string>][] = [
  [59, { SHA1: "94287082", SHA256: "46119246", SHA512: "90693936" }],
  [1111111109, { SHA1: "07081804", SHA256: "68084774", SHA512: "25091201" }],
  [1111111111, { SHA1: "14050471", SHA256: "67062674", SHA512: "99943326" }],
  [1234567890, { SHA1: "89005924", SHA256: "91819424", SHA512: "93441116" }],
  [2000000000, { SHA1: "69279037", SHA256: "90698825", SHA512: "38618901" }],
  [20000000000, { SHA1: "65353130", SHA256: "77737706", SHA512: "47863826" }],
];

describe("RFC 6238 TOTP vectors", () => {
  for (const [seconds, codes] of table) {
    for (const algorithm of ["SHA1", "SHA256", "SHA512"] as const) {
      it(`t=${seconds} ${algorithm} → ${codes[algorithm]}`, () => {
        assert.equal(generateTotp(seeds[algorithm], seconds * 1000, { digits: 8, periodInSeconds: 30, algorithm }), codes[algorithm]);
      });
    }
  }

  it("the step is floor(t / 30) and survives 2038", () => {
    assert.equal(totpStep(59_000), 1);
    assert.equal(totpStep(20000000000 * 1000), 666666666);
  });
});
