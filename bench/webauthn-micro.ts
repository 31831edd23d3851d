/**
 * A security key's assertion check against its floor, in one process,
 * interleaved like bench/totp-micro.ts so both sides see the same CPU:
 *   - floor: one ECDSA P-256 signature verify with node:crypto over
 *            authenticatorData ‖ SHA-256(clientDataJSON), the key already imported
 *   - ours:  @simplewebauthn/server's verifyAuthenticationResponse as
 *            services/factors/webauthn/factor.ts calls it (the stored COSE key,
 *            origin, RP ID, challenge callback, counter 0), on a real assertion
 *            from test/helpers/soft-authenticator.ts
 * The figure of merit is ours / floor: how much of the time is the signature
 * check itself (the rest is parsing base64url, JSON and CBOR, and the COSE key).
 */
import { createHash, verify } from "node:crypto";
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse, type AuthenticationResponseJSON } from "@simplewebauthn/server";
import { createSoftAuthenticator } from "../test/helpers/soft-authenticator.js";
import { interleave, type PairedRatios } from "./paired.js";

/** `ratio`: the median over the chunk pairs of ours / floor. */
export interface WebauthnMicroResult extends PairedRatios {
  floorOpsPerSecond: number;
  oursOpsPerSecond: number;
}

export async function runWebauthnMicro(options: { milliseconds?: number } = {}): Promise<WebauthnMicroResult> {
  const milliseconds = options.milliseconds ?? 4000;
  const origin = "https://twostep.bench.invalid";
  const rpID = "twostep.bench.invalid";
  const key = createSoftAuthenticator({ origin });
  const creation = await generateRegistrationOptions({ rpName: "twostep", rpID, userName: "bench@example.test", userID: new TextEncoder().encode("bench"), attestationType: "none" });
  const registered = await verifyRegistrationResponse({
    response: key.register(creation as unknown as Record<string, unknown>) as never,
    expectedChallenge: creation.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: false,
  });
  if (!registered.verified) throw new Error("the bench key did not register");
  const stored = Buffer.from(registered.registrationInfo.credential.publicKey).toString("base64url");
  const credentialId = registered.registrationInfo.credential.id;
  const request = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: credentialId }] });
  const assertion = key.authenticate(request as unknown as Record<string, unknown>, { signCount: 0 }) as unknown as AuthenticationResponseJSON;

  const ours = async () => {
    const result = await verifyAuthenticationResponse({
      response: assertion,
      expectedChallenge: (challenge) => challenge === request.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      expectedType: "webauthn.get",
      credential: { id: credentialId, publicKey: Buffer.from(stored, "base64url"), counter: 0 },
      requireUserVerification: false,
    });
    if (!result.verified) throw new Error("the bench assertion did not verify");
  };

  // The floor: the same signature over the same bytes, the key imported once.
  const authenticatorData = Buffer.from(assertion.response.authenticatorData, "base64url");
  const clientDataHash = createHash("sha256").update(Buffer.from(assertion.response.clientDataJSON, "base64url")).digest();
  const signed = Buffer.concat([authenticatorData, clientDataHash]);
  const signature = Buffer.from(assertion.response.signature, "base64url");
  const publicKey = key.credentials[0]!.publicKey;
  if (!verify("sha256", signed, publicKey, signature)) throw new Error("the floor's signature did not verify");
  let sink = 0;
  const floor = (iterations: number) => {
    for (let i = 0; i < iterations; i++) if (verify("sha256", signed, publicKey, signature)) sink++;
  };
  const oursChunk = async (iterations: number) => {
    for (let i = 0; i < iterations; i++) await ours();
  };

  for (let i = 0; i < 20; i++) {
    floor(50);
    await oursChunk(50);
  }
  const measured = await interleave({ floor, ours: oursChunk, floorChunk: 40, oursChunk: 40, milliseconds, ratio: (oursRate, floorRate) => oursRate / floorRate });
  if (sink === 0.5) console.log(sink);
  return measured;
}
