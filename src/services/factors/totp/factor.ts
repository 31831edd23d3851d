import { findTotpStep } from "../../../domain/otp/totp.js";
import { parseSixDigitCode } from "../code-proof.js";
import type { Factor } from "../factor.js";

/** M1: the authenticator app. The key is decrypted only here, only to verify (SECURITY 13). */
export const totpFactor: Factor<string> = {
  type: "totp",
  words: {
    label: "Authenticator app",
    secondStepPrompt: () => ({ before: "Open your authenticator app and enter the 6-digit code it shows for twostep." }),
    switchLabel: (method) => `Use ${method.name}`,
    verifyPrompt: () => "Enter the 6-digit code your authenticator app shows now.",
    deviceNoun: "app",
    requestChallengeLabel: null,
    whatYouNeed: "an authenticator app (Google Authenticator, Authy, 1Password, Microsoft Authenticator…)",
    setupLabel: "Set up an authenticator app",
    addLabel: "Add an authenticator app",
    offerLabel: "Use an authenticator app instead",
  },
  proofField: "code",
  phishingResistant: false,
  presentation: "code_field",
  messageRecipient: async () => null,
  several: false,
  removal: "proof_of_this_method",
  parseProof: parseSixDigitCode,
  wrongProof: "invalid_code",
  async verifyAndConsume(deps, store, method, code) {
    const key = deps.secretBox.open(method.secretCiphertext, method.id);
    const now = deps.clock.now();
    const step = findTotpStep(key, code, { nowInMilliseconds: now, windowSteps: deps.config.totpWindowSteps, lastUsedStep: method.lastUsedStep });
    key.fill(0);
    if (step === null) return false;
    // The claim is a conditional UPDATE: two requests with one code cannot both pass.
    return store.methods.claimTotpStep(method.id, step, now);
  },
  // The app makes its own codes: nothing to send.
  startChallenge: async () => null,
};
