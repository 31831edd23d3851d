/**
 * M2, SECURITY 24/25/26: what every SMS gateway is handed. The text
 * (src/domain/sms-message.ts) ends with the WICG origin-bound one-time-code line
 * `@host #123456`, and codes are always 6 digits; the destination
 * (src/domain/phone.ts) is a mobile number normalised to E.164 in an allowed
 * country, shown masked. The adapters that send it are tested against local HTTP
 * servers that check what they send (twilio.test.ts, webhook.test.ts), as the
 * issue asks.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { maskPhoneNumber } from "../../src/domain/phone.js";
import { parseMobileNumber } from "../../src/services/factors/sms/phone-numbers.js";
import { composeSmsMessage, formatSmsCode } from "../../src/domain/sms-message.js";

/**
 * The WICG "origin-bound one-time codes" format: the last line is `@` + host,
 * a space, `#` + code (optionally followed by ` @` + an embedded origin's host).
 */
const originBoundLine = /^@([a-z0-9.-]+) #([0-9A-Za-z]+)(?: @([a-z0-9.-]+))?$/;

describe("composeSmsMessage", () => {
  const text = composeSmsMessage({ code: "012345", host: "login.example.com", issuer: "Acme", ttlMinutes: 5 });

  it("ends with the line `@host #code`, exactly the origin-bound format", () => {
    const lines = text.split("\n");
    assert.equal(lines.at(-1), "@login.example.com #012345");
    const match = originBoundLine.exec(lines.at(-1)!);
    assert.ok(match);
    assert.equal(match[1], "login.example.com");
    assert.equal(match[2], "012345");
    assert.equal(match[3], undefined, "no embedded-origin part");
    assert.ok(!text.endsWith("\n"), "nothing after the origin-bound line");
    assert.equal(lines.filter((line) => line.startsWith("@")).length, 1, "only one origin-bound line");
  });

  it("puts the human-readable text first: the code, the issuer, the lifetime and a warning", () => {
    const [first, blank] = text.split("\n");
    assert.equal(first, "012345 is your Acme verification code. It expires in 5 minutes. Do not share it.");
    assert.equal(blank, "");
  });

  it("binds the host given (a bare host name, no scheme, port or path)", () => {
    const other = composeSmsMessage({ code: "999999", host: "localhost", issuer: "twostep", ttlMinutes: 10 });
    assert.equal(other.split("\n").at(-1), "@localhost #999999");
    assert.ok(!other.includes("http"));
  });

  it("fits in one SMS segment for a typical host", () => {
    assert.ok(text.length <= 160, `${text.length} characters`);
  });
});

describe("formatSmsCode", () => {
  it("pads to 6 digits", () => {
    assert.equal(formatSmsCode(0), "000000");
    assert.equal(formatSmsCode(42), "000042");
    assert.equal(formatSmsCode(123456), "123456");
    assert.equal(formatSmsCode(999_999), "999999");
  });

  it("refuses anything outside [0, 10^6) or not an integer", () => {
    for (const bad of [-1, 1_000_000, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => formatSmsCode(bad), RangeError, String(bad));
    }
  });
});

describe("parseMobileNumber", async () => {
  const allowed = ["GB", "IE", "US"];

  it("normalises to E.164, reading a number without + in the default country", async () => {
    assert.deepEqual(await parseMobileNumber("07400 123456", allowed, "GB"), { ok: true, e164: "+447400123456", country: "GB", callingCode: "44" });
    assert.deepEqual(await parseMobileNumber("+44 7400 123456", allowed), { ok: true, e164: "+447400123456", country: "GB", callingCode: "44" });
    assert.deepEqual(await parseMobileNumber("+353 85 123 4567", allowed), { ok: true, e164: "+353851234567", country: "IE", callingCode: "353" });
    // North American numbers do not say whether they are mobile: FIXED_LINE_OR_MOBILE is accepted.
    assert.deepEqual(await parseMobileNumber("+1 201 555 0123", allowed), { ok: true, e164: "+12015550123", country: "US", callingCode: "1" });
  });

  it("refuses a landline or freephone number (not_a_mobile_number)", async () => {
    for (const landline of ["+44 20 7946 0000", "+44 800 123 4567"]) {
      assert.deepEqual(await parseMobileNumber(landline, allowed), { ok: false, code: "not_a_mobile_number", field: "phoneNumber" }, landline);
    }
    assert.deepEqual(await parseMobileNumber("020 7946 0000", allowed, "GB"), { ok: false, code: "not_a_mobile_number", field: "phoneNumber" });
  });

  it("refuses a mobile number in a country not allowed (phone_country_not_allowed, SECURITY 25)", async () => {
    assert.deepEqual(await parseMobileNumber("+234 803 123 4567", allowed), { ok: false, code: "phone_country_not_allowed", field: "phoneNumber" });
    assert.deepEqual(await parseMobileNumber("+33 6 12 34 56 78", allowed), { ok: false, code: "phone_country_not_allowed", field: "phoneNumber" });
    assert.equal("e164" in (await parseMobileNumber("+33 6 12 34 56 78", [...allowed, "FR"])), true);
  });

  it("refuses garbage (invalid_phone_number)", async () => {
    for (const garbage of ["", "hello", "+44 12", "07400 123456", "+44 7400 123456 ext 9999999999999999999", "++447400123456"]) {
      // "07400 123456" without a default country cannot be read.
      assert.deepEqual(await parseMobileNumber(garbage, allowed), { ok: false, code: "invalid_phone_number", field: "phoneNumber" }, JSON.stringify(garbage));
    }
  });
});

describe("maskPhoneNumber", () => {
  it("shows only the calling code and the last 3 digits", () => {
    assert.equal(maskPhoneNumber("+447400123456", "44"), "+44 •••••••456");
    assert.equal(maskPhoneNumber("+12015550123", "1"), "+1 •••••••123");
    assert.equal(maskPhoneNumber("+353851234567", "353"), "+353 ••••••567");
  });

  it("leaks no other digit of the number", () => {
    const masked = maskPhoneNumber("+447400123456", "44");
    const digits = masked.replace(/\D/g, "");
    assert.equal(digits, "44456");
  });
});
