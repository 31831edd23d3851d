import type { AppsDeps } from "./deps.js";
import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import type { JsonWebKey } from "node:crypto";
import type { ServiceDeps } from "../deps.js";
import { planKeySet } from "./key-set.js";

/** The AAD a signing key is sealed with (store/sealed-columns.ts names the same). */
const sealContext = (id: string) => `signing-key:${id}`;

export type PrivateJwk = JsonWebKey & { kid: string; alg: string; use: string };

function keyTimesOptions(deps: Pick<ServiceDeps, "config">) {
  const oidc = deps.config.oidc;
  // Anything signed lives at most this long: ID tokens and logout tokens (access tokens are opaque).
  return { activationMs: 2 * oidc.keyRefreshSeconds * 1000, tokenLifetimeMs: oidc.idTokenTtlSeconds * 1000 };
}

/** A new RS256 key (the default ID token algorithm every relying party supports), sealed, stored. */
async function addSigningKey(deps: AppsDeps): Promise<string> {
  const id = deps.newId();
  // In the thread pool: a 2048-bit RSA key takes tens of milliseconds the event loop need not wait through.
  const { privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  const jwk: PrivateJwk = { ...privateKey.export({ format: "jwk" }), kid: id, alg: "RS256", use: "sig" };
  const sealed = deps.secretBox.seal(Buffer.from(JSON.stringify(jwk)), sealContext(id));
  await deps.store.signingKeys.insertSigningKey({ id, privateJwkCiphertext: sealed, createdAt: deps.clock.now(), retiredAt: null });
  return id;
}

/**
 * The private JWKs the provider is built with, the signing key first. The
 * first instance to start on an empty database makes the first key.
 */
export async function loadSigningJwks(deps: AppsDeps): Promise<PrivateJwk[]> {
  let keys = await deps.store.signingKeys.listSigningKeys();
  if (keys.length === 0) {
    await addSigningKey(deps);
    keys = await deps.store.signingKeys.listSigningKeys();
  }
  const plan = planKeySet(keys, deps.clock.now(), keyTimesOptions(deps))!;
  return plan.publishedKeyIds.map((id) => {
    const key = keys.find((each) => each.id === id)!;
    let opened: Buffer;
    try {
      opened = deps.secretBox.open(key.privateJwkCiphertext, sealContext(id));
    } catch {
      // A wrong or missing encryption key: say so at start, not as a cipher's error on the first sign-in.
      throw new Error(
        `the OpenID Connect signing key ${id} cannot be opened with this TWOSTEP_ENCRYPTION_KEY (id ${deps.secretBox.currentKeyId}): start with the key it was sealed with, or name that key in TWOSTEP_PREVIOUS_ENCRYPTION_KEYS`,
      );
    }
    return JSON.parse(opened.toString("utf8")) as PrivateJwk;
  });
}

export interface SigningKeyRotation {
  newKeyId: string;
  /** When the new key starts signing (ms). */
  signsFrom: number;
  deletedKeyIds: string[];
}

/** keys:rotate-signing: a new key (published now, signing after the activation delay); keys no token needs any more are deleted. */
export async function rotateSigningKey(deps: AppsDeps): Promise<SigningKeyRotation> {
  const newKeyId = await addSigningKey(deps);
  const now = deps.clock.now();
  await deps.store.signingKeys.retireSigningKeysExcept(newKeyId, now);
  const plan = planKeySet(await deps.store.signingKeys.listSigningKeys(), now, keyTimesOptions(deps))!;
  for (const id of plan.expiredKeyIds) await deps.store.signingKeys.deleteSigningKey(id);
  return { newKeyId, signsFrom: now + keyTimesOptions(deps).activationMs, deletedKeyIds: plan.expiredKeyIds };
}

/** The ids in publishing order: instances compare it to know when to rebuild their provider. */
export async function signingKeySetVersion(deps: AppsDeps): Promise<string> {
  const keys = await deps.store.signingKeys.listSigningKeys();
  const plan = planKeySet(keys, deps.clock.now(), keyTimesOptions(deps));
  return plan ? plan.publishedKeyIds.join(",") : "";
}
