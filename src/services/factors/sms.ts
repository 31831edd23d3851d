import { timingSafeEqual } from "node:crypto";
import type { Factor } from "./factor.js";
import { smsCodeHash } from "../sms-codes.js";

/**
 * M2: a code sent by SMS. Only the newest unused code sent for this method,
 * for this purpose and binding (this login, this setup, this session), can
 * pass (SECURITY 24): a code from another login is never looked at.
 */
export const smsFactor: Factor = {
  type: "sms",
  label: "SMS",
  isWellFormed: (code) => /^\d{6}$/.test(code),
  wrongCode: "invalid_sms_code",
  async verifyAndConsume(deps, store, method, code, binding) {
    const sent = await store.codes.findLatestSmsCode(method.id, binding.purpose, binding.bindingId);
    if (!sent || sent.expiresAt <= deps.clock.now()) return false;
    const expected = Buffer.from(sent.codeHash);
    const actual = Buffer.from(smsCodeHash(deps, sent.id, code));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return false;
    // Conditional write: the code works once, even for racing requests.
    if (!(await store.codes.consumeSmsCode(sent.id, deps.clock.now()))) return false;
    await store.methods.markMethodUsed(method.id, deps.clock.now());
    return true;
  },
};
