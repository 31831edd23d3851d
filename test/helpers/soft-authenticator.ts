/**
 * A software WebAuthn authenticator for Node tests (no browser): P-256 keys,
 * "none" attestation, signatures over authenticatorData ‖ SHA-256(clientDataJSON)
 * exactly as a security key makes them, so @simplewebauthn/server checks them
 * for real. Overrides forge what an attacker would send: another origin, RP ID
 * or challenge, a chosen signature counter (a cloned key), another key's id.
 *
 *   const key = createSoftAuthenticator({ origin: "http://localhost:3000" });
 *   const attestation = key.register(creationOptionsJSON);
 *   const assertion = key.authenticate(requestOptionsJSON, { signCount: 0 });
 *   const copy = key.clone(); // the same credentials and counters
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

interface SoftCredential {
  id: Buffer;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  signCount: number;
}

export interface Overrides {
  origin?: string;
  rpId?: string;
  challenge?: string;
  userVerified?: boolean;
}

type Json = Record<string, unknown>;
const b64u = (bytes: Buffer | Uint8Array) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();

/** Just the CBOR WebAuthn needs: unsigned and negative integers, byte and text strings, maps. */
function cbor(value: unknown): Buffer {
  const head = (major: number, n: number) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  if (typeof value === "string") return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Map) return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  throw new Error(`cbor: cannot encode ${typeof value}`);
}

function coseKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: "jwk" });
  return cbor(new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, "base64url")], [-3, Buffer.from(jwk.y!, "base64url")]]));
}

function authenticatorData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter >>> 0);
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

export interface SoftAuthenticator {
  credentials: SoftCredential[];
  register(options: Json, overrides?: Overrides & { backedUp?: boolean }): Json & { id: string };
  authenticate(options: Json, overrides?: Overrides & { signCount?: number; credentialId?: string }): Json & { id: string };
  clone(): SoftAuthenticator;
}

export function createSoftAuthenticator(input: { origin: string }, credentials: SoftCredential[] = []): SoftAuthenticator {
  const flagsFor = (o: { userVerified?: boolean }) => 0x01 | (o.userVerified === false ? 0 : 0x04);
  return {
    credentials,
    register(options, overrides = {}) {
      const rp = options.rp as { id: string };
      const user = options.user as { id: string };
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const credential: SoftCredential = { id: randomBytes(16), rpId: rp.id, userHandle: user.id, privateKey, publicKey, signCount: 0 };
      credentials.push(credential);
      const idLength = Buffer.from([0, credential.id.length]);
      const attested = Buffer.concat([Buffer.alloc(16), idLength, credential.id, coseKey(publicKey)]);
      const backup = overrides.backedUp ? 0x08 | 0x10 : 0;
      const authData = authenticatorData(overrides.rpId ?? rp.id, flagsFor(overrides) | backup | 0x40, 0, attested);
      const attestationObject = cbor(new Map<string, unknown>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]));
      return {
        id: b64u(credential.id),
        rawId: b64u(credential.id),
        type: "public-key",
        clientExtensionResults: {},
        response: {
          clientDataJSON: b64u(clientData("webauthn.create", overrides.challenge ?? (options.challenge as string), overrides.origin ?? input.origin)),
          attestationObject: b64u(attestationObject),
          transports: ["usb"],
        },
      };
    },
    authenticate(options, overrides = {}) {
      const allowed = ((options.allowCredentials as { id: string }[] | undefined) ?? []).map((c) => c.id);
      const credential = credentials.find((c) => c.rpId === options.rpId && (allowed.length === 0 || allowed.includes(b64u(c.id))));
      if (!credential) throw new Error("no credential for this site");
      credential.signCount = overrides.signCount ?? credential.signCount + 1;
      const authData = authenticatorData(overrides.rpId ?? credential.rpId, flagsFor(overrides), credential.signCount);
      const data = clientData("webauthn.get", overrides.challenge ?? (options.challenge as string), overrides.origin ?? input.origin);
      const signature = sign("sha256", Buffer.concat([authData, sha256(data)]), credential.privateKey);
      const id = overrides.credentialId ?? b64u(credential.id);
      return {
        id,
        rawId: id,
        type: "public-key",
        clientExtensionResults: {},
        response: { clientDataJSON: b64u(data), authenticatorData: b64u(authData), signature: b64u(signature), userHandle: credential.userHandle },
      };
    },
    clone() {
      return createSoftAuthenticator(input, credentials.map((c) => ({ ...c })));
    },
  };
}
