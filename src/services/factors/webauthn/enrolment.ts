import type { FactorsDeps } from "../deps.js";
import { firstMethodConfirmed, type FactorEnrolment, type FirstMethodConfirmed } from "../factor-enrolment.js";
import type { AuthenticatorTransport, VerifiedRegistrationResponse } from "@simplewebauthn/server";
import { fail, type Result } from "../../../domain/errors.js";
import type { User } from "../../../domain/model.js";
import { hashToken } from "../../../security/tokens.js";
import { recordVerificationFailure } from "../../events/audit.js";
import type { RequestContext } from "../../deps.js";
import { activatePendingMethod, insertPendingMethod, type EnrolmentOwner } from "../../enrolment/method-activation.js";
import { effectivePolicyFor } from "../../policy/policy.js";
import { reauthenticate } from "../../sessions/reauthenticate.js";
import type { Authenticated } from "../../sessions/sessions.js";
import { hasOwnTwoFactor, requireOwnStepUp } from "../../sessions/step-up.js";
import { issueChallenge } from "./challenge.js";
import { credentialHint, keyDescriptors, sealCredential } from "./credential.js";
import { parseAttestation } from "./proof.js";
import { webauthnLibrary } from "./library.js";
import { relyingParty } from "./relying-party.js";

/**
 * "Add a security key or passkey": the password again (2FA off) or a recent
 * second factor (2FA on, the step-up window), then the browser's prompt for a
 * new credential answering a challenge bound to this session, then a name.
 */
export const keyEnrolmentNeedsPassword = async (deps: FactorsDeps, auth: Authenticated) => !(await hasOwnTwoFactor(deps, auth));

export async function startKeyEnrolment(deps: FactorsDeps, auth: Authenticated, proof: { password?: string }, context: RequestContext): Promise<Result<{ expiresAt: number; browserOptions: unknown }>> {
  if (!(await effectivePolicyFor(deps, auth.user)).allowedMethods.includes("webauthn")) return fail("method_not_allowed_by_policy");
  if (await keyEnrolmentNeedsPassword(deps, auth)) {
    const wrong = await reauthenticate(deps, auth, { password: proof.password ?? "" }, context);
    if (!wrong.ok) return wrong;
  } else {
    const stale = await requireOwnStepUp(deps, auth);
    if (!stale.ok) return stale;
  }
  return keyRegistrationOptions(deps, auth.user, auth.session.id);
}

/**
 * The browser's creation options around a new challenge bound to `bindingId`
 * (the session adding a key, or the login that must enrol one, P1).
 */
export async function keyRegistrationOptions(deps: FactorsDeps, user: User, bindingId: string): Promise<Result<{ expiresAt: number; browserOptions: unknown }>> {
  const rp = relyingParty(deps);
  const keys = await keyDescriptors(deps, user.id);
  const { generateRegistrationOptions } = await webauthnLibrary();
  const issued = await issueChallenge(deps, user, { purpose: "enrol", bindingId }, (challenge, timeout) =>
    generateRegistrationOptions({
      rpName: rp.name,
      rpID: rp.id,
      userName: user.email,
      userDisplayName: user.displayName,
      // The user handle is the user's random id, never the email.
      userID: new TextEncoder().encode(user.id),
      challenge,
      timeout,
      attestationType: "none",
      // A key already added is not added twice.
      excludeCredentials: keys,
      authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
    }),
  );
  return { ok: true, ...issued };
}

export function parseKeyName(input: unknown): Result<{ name: string }> {
  const name = typeof input === "string" ? input.trim() : "";
  if (name.length < 1 || name.length > 64 || /[\u0000-\u001f]/.test(name)) return fail("invalid_method_name", { field: "name" });
  return { ok: true, name };
}

export function finishKeyEnrolment(
  deps: FactorsDeps,
  auth: Authenticated,
  input: { credential: unknown; name: unknown },
  context: RequestContext,
): Promise<Result<{ methodId: string; recoveryCodes: string[] | null }>> {
  return registerKey(deps, auth, auth.session.id, input, context);
}

/**
 * The browser's answer to the challenge bound to `bindingId`, checked by the
 * library (challenge spent as it is read, origin, RP ID), stored as an active
 * method of `owner` with its name; recovery codes with the first method.
 */
export async function registerKey(
  deps: FactorsDeps,
  owner: EnrolmentOwner,
  bindingId: string,
  input: { credential: unknown; name: unknown },
  context: RequestContext,
): Promise<Result<{ methodId: string; recoveryCodes: string[] | null }>> {
  const named = parseKeyName(input.name);
  if (!named.ok) return named;
  const parsed = parseAttestation(input.credential);
  if (!parsed.ok) return parsed;
  if (!(await effectivePolicyFor(deps, owner.user)).allowedMethods.includes("webauthn")) return fail("method_not_allowed_by_policy");
  const rp = relyingParty(deps);
  const now = deps.clock.now();
  const { verifyRegistrationResponse } = await webauthnLibrary();
  let registration: VerifiedRegistrationResponse;
  try {
    registration = await verifyRegistrationResponse({
      response: parsed.proof,
      expectedChallenge: (challenge) => deps.store.challenges.consumeChallenge({ userId: owner.user.id, purpose: "enrol", bindingId, challengeHash: hashToken(challenge) }, now),
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      expectedType: "webauthn.create",
      requireUserVerification: false,
    });
  } catch {
    registration = { verified: false };
  }
  if (!registration.verified) {
    await recordVerificationFailure(deps, owner.user, { action: "enrol", factor: "webauthn", locked: false, context });
    return fail("security_key_not_accepted", { field: "credential" });
  }
  const { credential, credentialBackedUp } = registration.registrationInfo;
  if (await deps.store.methods.findMethodByCredentialId(credential.id)) return fail("security_key_already_added", { field: "credential" });
  const stored = { publicKey: Buffer.from(credential.publicKey).toString("base64url"), transports: (credential.transports ?? parsed.proof.response.transports ?? []) as AuthenticatorTransport[], backedUp: credentialBackedUp };
  const secret = sealCredential(stored);
  const pending = await insertPendingMethod(deps, { user: owner.user, type: "webauthn", defaultName: named.name, secret, replaces: null, displayHint: credentialHint(stored), credentialId: credential.id });
  const activated = await activatePendingMethod(deps, owner, pending, credential.counter, context);
  if (!activated.ok) return activated;
  return { ok: true, methodId: pending.id, recoveryCodes: activated.recoveryCodes };
}

/** The registry's view of this enrolment (factors/enrolments.ts): a ceremony of its own (above), and never reset: another key is added and the old one removed. */
export const webauthnEnrolment = {
  confirmWithCode: null,
  reset: null,
  /** P1 (required-enrolment.ts): the browser's creation options for a challenge bound to the login, then the key's answer and its name. */
  firstMethod: {
    begin: (deps, login) => keyRegistrationOptions(deps, login.user, login.flowId),
    async confirm(deps, login, input: { credential: unknown; name: unknown }, context): Promise<Result<FirstMethodConfirmed>> {
      const result = await registerKey(deps, login.owner, login.flowId, input, context);
      return result.ok ? firstMethodConfirmed(login, result.recoveryCodes) : result;
    },
  },
} satisfies FactorEnrolment;
