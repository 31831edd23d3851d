import { timingSafeEqual } from "node:crypto";
import { parseSixDigitCode } from "../code-proof.js";
import type { Factor } from "../factor.js";
import { parseMobileNumber } from "./phone-numbers.js";
import { phoneOf, sendSmsCode, smsCodeHash } from "./sms-codes.js";

/**
 * M2: a code sent by SMS. Only the newest unused code sent for this method,
 * for this purpose and binding (this login, this setup, this session), can
 * pass (SECURITY 24): a code from another login is never looked at.
 */
export const smsFactor: Factor<string> = {
  type: "sms",
  words: {
    label: "SMS",
    secondStepPrompt: (method) => ({ before: "We sent a text message with a 6-digit code to ", keepTogether: method.displayHint ?? "your phone", after: ". Enter it below." }),
    switchLabel: (method) => `Text a code to ${method.displayHint ?? "my phone"}`,
    verifyPrompt: (method) => `First text yourself a code at ${method.displayHint ?? "your phone"}, then enter it.`,
    deviceNoun: "number",
    requestChallengeLabel: "Text me a code",
    whatYouNeed: "a mobile phone that can receive text messages",
    setupLabel: "Set up SMS codes",
    addLabel: "Add SMS codes",
    offerLabel: "Use SMS codes instead",
  },
  proofField: "code",
  phishingResistant: false,
  presentation: "code_field",
  several: false,
  async messageRecipient(deps, method) {
    const phone = await parseMobileNumber(phoneOf(deps, method), deps.config.sms.allowedCountries);
    return "e164" in phone ? phone.e164 : null;
  },
  removal: "proof_of_this_method",
  parseProof: parseSixDigitCode,
  wrongProof: "invalid_sms_code",
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
  async startChallenge(deps, { user, method, binding, context, keepRecent }) {
    const sent = await sendSmsCode(deps, { user, method, purpose: binding.purpose, bindingId: binding.bindingId, context });
    if (sent.ok || !keepRecent || sent.code !== "sms_resend_too_soon") return sent;
    // The code texted moments ago for this binding is still the one to enter: say so, with its expiry.
    const kept = await deps.store.codes.findLatestSmsCode(method.id, binding.purpose, binding.bindingId);
    return kept ? { ok: true, expiresAt: kept.expiresAt } : null;
  },
};
