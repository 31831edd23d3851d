/** SECURITY 3–5: the ±1 window, the replay floor, and format-first checking in findTotpStep. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findTotpStep, generateTotp, totpStep } from "../../src/domain/otp/totp.js";

const key = Buffer.from("12345678901234567890", "ascii");
const now = 1_795_000_000_000;
const step = totpStep(now);
const at = (offset: number) => generateTotp(key, now + offset * 30_000);

describe("findTotpStep", () => {
  it("accepts the current step and one either side, nothing further", () => {
    const check = { nowInMilliseconds: now, windowSteps: 1, lastUsedStep: null };
    assert.equal(findTotpStep(key, at(0), check), step);
    assert.equal(findTotpStep(key, at(-1), check), step - 1);
    assert.equal(findTotpStep(key, at(1), check), step + 1);
    assert.equal(findTotpStep(key, at(-2), check), null);
    assert.equal(findTotpStep(key, at(2), check), null);
  });

  it("a window of 0 accepts only the current step", () => {
    const check = { nowInMilliseconds: now, windowSteps: 0, lastUsedStep: null };
    assert.equal(findTotpStep(key, at(0), check), step);
    assert.equal(findTotpStep(key, at(-1), check), null);
  });

  it("never returns a step at or below the last used one (replay)", () => {
    assert.equal(findTotpStep(key, at(0), { nowInMilliseconds: now, windowSteps: 1, lastUsedStep: step }), null);
    assert.equal(findTotpStep(key, at(-1), { nowInMilliseconds: now, windowSteps: 1, lastUsedStep: step - 1 }), null);
    assert.equal(findTotpStep(key, at(1), { nowInMilliseconds: now, windowSteps: 1, lastUsedStep: step }), step + 1);
  });

  it("refuses malformed codes before any HMAC", () => {
    for (const code of ["", "12345", "1234567", "12345a", " 123456", "１２３４５６"]) {
      assert.equal(findTotpStep(key, code, { nowInMilliseconds: now, windowSteps: 1, lastUsedStep: null }), null);
    }
  });
});
