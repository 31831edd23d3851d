import { findTotpStep } from "../../domain/otp/totp.js";
import type { Factor } from "./factor.js";

/** M1: the authenticator app. The key is decrypted only here, only to verify (SECURITY 13). */
export const totpFactor: Factor = {
  type: "totp",
  label: "Authenticator app",
  isWellFormed: (code) => /^\d{6}$/.test(code),
  wrongCode: "invalid_code",
  async verifyAndConsume(deps, store, method, code) {
    const key = deps.secretBox.open(method.secretCiphertext, method.id);
    const now = deps.clock.now();
    const step = findTotpStep(key, code, { nowInMilliseconds: now, windowSteps: deps.config.totpWindowSteps, lastUsedStep: method.lastUsedStep });
    key.fill(0);
    if (step === null) return false;
    // The claim is a conditional UPDATE: two requests with one code cannot both pass.
    return store.methods.claimTotpStep(method.id, step, now);
  },
};
