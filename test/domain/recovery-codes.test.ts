/** SECURITY 14, R1: recovery codes have ≥ 64 bits and are read forgivingly but strictly. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { formatRecoveryCode, normalizeRecoveryCode, recoveryCodeBytes, recoveryCodeFromBytes, recoveryCodeLength } from "../../src/domain/recovery-codes.js";

describe("recovery codes", () => {
  it("carry 80 bits as 16 Crockford characters", () => {
    assert.ok(recoveryCodeBytes * 8 >= 64);
    const code = recoveryCodeFromBytes(randomBytes(recoveryCodeBytes));
    assert.equal(code.length, recoveryCodeLength);
    assert.match(code, /^[0-9A-HJKMNP-TV-Z]{16}$/);
  });

  it("are shown in groups of four and read back whatever the case, spaces or hyphens", () => {
    const code = "7K2MXQ9P4HRTB3ZA";
    const shown = formatRecoveryCode(code);
    assert.equal(shown, "7K2M-XQ9P-4HRT-B3ZA");
    assert.equal(normalizeRecoveryCode(shown), code);
    assert.equal(normalizeRecoveryCode(" 7k2m xq9p 4hrt b3za "), code);
  });

  it("fold Crockford look-alikes and refuse anything else", () => {
    assert.equal(normalizeRecoveryCode("OOOO-IIII-LLLL-0000"), "0000111111110000");
    assert.equal(normalizeRecoveryCode("ABCD-EFGH-JKMN-PQR"), null);
    assert.equal(normalizeRecoveryCode("ABCD-EFGH-JKMN-PQRSU"), null);
    assert.equal(normalizeRecoveryCode("ABCD-EFGH-JKMN-PQR!"), null);
    assert.equal(normalizeRecoveryCode("x".repeat(10_000)), null);
  });
});
