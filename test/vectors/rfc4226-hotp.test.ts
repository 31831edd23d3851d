/** RFC 4226 Appendix D: HOTP, SHA-1, 6 digits, counts 0–9 (SECURITY "Test vectors"). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { base32nopad } from "@scure/base";
import { generateHotp } from "../../src/domain/otp/hotp.js";

const secret = Buffer.from("12345678901234567890", "ascii");
const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];

describe("RFC 4226 HOTP vectors", () => {
  expected.forEach((code, count) => {
    it(`count ${count} → ${code}`, () => assert.equal(generateHotp(secret, count), code));
  });

  it("the base32 form in SECURITY.md is the same secret", () => {
    assert.deepEqual(Buffer.from(base32nopad.decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")), secret);
  });

  it("refuses a digit count outside 6–8", () => {
    assert.throws(() => generateHotp(secret, 0, 5), RangeError);
  });
});
