import type { FactorsDeps, FactorsPorts } from "../deps.js";
import type { AuthenticationResponseJSON, AuthenticatorTransport, VerifiedAuthenticationResponse } from "@simplewebauthn/server";
import type { Method } from "../../../domain/model.js";
import { judgeSignatureCounter } from "../../../domain/webauthn/signature-counter.js";
import { hashToken } from "../../../security/tokens.js";
import { recordEvent } from "../../events/audit.js";
import type { RequestContext } from "../../deps.js";
import type { ChallengeBinding, Factor } from "../factor.js";
import { keyDescriptors, openCredential } from "./credential.js";
import { issueChallenge } from "./challenge.js";
import { parseAssertion } from "./proof.js";
import { webauthnLibrary } from "./library.js";
import { relyingParty } from "./relying-party.js";

/**
 * Security keys and passkeys (WebAuthn, with @simplewebauthn/server). The
 * proof is the browser's signed assertion, not a code. It passes only when it
 * answers a challenge this server issued for this binding (the login flow, or
 * the session confirming), unused and unexpired; was made for this origin and
 * RP ID (phishing resistance); is signed by a key this user registered; and its
 * signature counter moved on (a cloned key is refused and logged).
 */
export const webauthnFactor: Factor<AuthenticationResponseJSON> = {
  type: "webauthn",
  words: {
    label: "Security key or passkey",
    secondStepPrompt: () => ({ before: "Use your security key or passkey: when your browser asks, touch the key or confirm on your device." }),
    switchLabel: () => "Use a security key or passkey",
    verifyPrompt: () => "Confirm with this security key or passkey when your browser asks.",
    deviceNoun: "key",
    requestChallengeLabel: null,
    whatYouNeed: "a security key (such as a YubiKey) or a passkey on your phone or computer",
    setupLabel: "Add a security key or passkey",
    addLabel: "Add a security key or passkey",
    offerLabel: "Add a security key or passkey",
  },
  proofField: "credential",
  phishingResistant: true,
  presentation: "browser_prompt",
  messageRecipient: async () => null,
  several: true,
  removal: "recent_second_factor",
  parseProof: parseAssertion,
  wrongProof: "security_key_not_accepted",
  verifyAndConsume: verifyAssertion,
  async startChallenge(deps, { user, binding }) {
    const rp = relyingParty(deps);
    const keys = await keyDescriptors(deps, user.id);
    const { generateAuthenticationOptions } = await webauthnLibrary();
    const issued = await issueChallenge(deps, user, binding, (challenge, timeout) =>
      generateAuthenticationOptions({
        rpID: rp.id,
        challenge,
        timeout,
        userVerification: "preferred",
        // Any of the user's own keys may answer; nobody else's is even named.
        allowCredentials: keys,
      }),
    );
    return { ok: true, ...issued };
  },
};

async function verifyAssertion(deps: FactorsDeps, store: FactorsPorts, method: Method, proof: AuthenticationResponseJSON, binding: ChallengeBinding, context?: RequestContext): Promise<boolean> {
  // The key that signed, which must be an active key of the same user as the method asked for.
  const key = await store.methods.findMethodByCredentialId(proof.id);
  if (!key || key.userId !== method.userId || key.status !== "active" || key.type !== "webauthn") return false;
  const credential = openCredential(deps, key);
  const rp = relyingParty(deps);
  const now = deps.clock.now();
  const { verifyAuthenticationResponse } = await webauthnLibrary();
  let verified: VerifiedAuthenticationResponse;
  try {
    verified = await verifyAuthenticationResponse({
      response: proof,
      // Single use: the challenge is spent as it is checked, whatever the rest of the answer says.
      expectedChallenge: (challenge) => store.challenges.consumeChallenge({ userId: method.userId, purpose: binding.purpose, bindingId: binding.bindingId, challengeHash: hashToken(challenge) }, now),
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      expectedType: "webauthn.get",
      // The counter is judged below, after the signature, so a clone is told from junk.
      credential: { id: key.credentialId!, publicKey: Buffer.from(credential.publicKey, "base64url"), counter: 0, transports: credential.transports as AuthenticatorTransport[] },
      requireUserVerification: false,
    });
  } catch {
    return false;
  }
  if (!verified.verified) return false;
  const counter = verified.authenticationInfo.newCounter;
  if (judgeSignatureCounter(key.lastUsedStep, counter) === "cloned") {
    const user = await store.accounts.findUserById(key.userId);
    if (user && context) await recordEvent(deps, store, { type: "method.clone_refused", subject: user, actor: null, context, detail: { type: key.type, name: key.name, storedCounter: key.lastUsedStep ?? 0, receivedCounter: counter } });
    return false;
  }
  // Conditional write: of two racing uses of one signature only one moves the counter.
  return store.methods.claimSignatureCounter(key.id, counter, now);
}
