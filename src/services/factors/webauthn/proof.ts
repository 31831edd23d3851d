import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { fail, type Result } from "../../../domain/errors.js";

/**
 * The browser's answer to a key prompt, as JSON (the API's `credential`
 * object) or as the JSON text a page's hidden field carries. Only the shape is
 * checked here, before anything is counted or looked up (SECURITY 5); the
 * signature, challenge, origin and counter are checked by the factor.
 */
const maxJsonLength = 16_384;
const base64url = /^[A-Za-z0-9_-]{1,8192}$/;

type Json = Record<string, unknown>;

function asObject(input: unknown): Json | null {
  if (typeof input === "string") {
    if (input.length === 0 || input.length > maxJsonLength) return null;
    try {
      return asObject(JSON.parse(input));
    } catch {
      return null;
    }
  }
  return input !== null && typeof input === "object" && !Array.isArray(input) ? (input as Json) : null;
}

const isEncoded = (value: unknown): value is string => typeof value === "string" && base64url.test(value);

function credentialEnvelope(input: unknown): { outer: Json; response: Json } | null {
  const outer = asObject(input);
  if (!outer || outer.type !== "public-key" || !isEncoded(outer.id) || outer.rawId !== outer.id) return null;
  const response = asObject(outer.response);
  if (!response || !isEncoded(response.clientDataJSON)) return null;
  return { outer, response };
}

const unreadable = () => fail("invalid_security_key_response", { field: "credential" });

/** A login or confirmation: an assertion (navigator.credentials.get). */
export function parseAssertion(input: unknown): Result<{ proof: AuthenticationResponseJSON }> {
  const envelope = credentialEnvelope(input);
  if (!envelope) return unreadable();
  const { outer, response } = envelope;
  if (!isEncoded(response.authenticatorData) || !isEncoded(response.signature)) return unreadable();
  if (response.userHandle !== undefined && response.userHandle !== null && !isEncoded(response.userHandle)) return unreadable();
  return {
    ok: true,
    proof: {
      id: outer.id as string,
      rawId: outer.rawId as string,
      type: "public-key",
      clientExtensionResults: {},
      response: {
        clientDataJSON: response.clientDataJSON as string,
        authenticatorData: response.authenticatorData as string,
        signature: response.signature as string,
        ...(typeof response.userHandle === "string" ? { userHandle: response.userHandle } : {}),
      },
    },
  };
}

const knownTransports = new Set(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"]);

/** A new key: an attestation (navigator.credentials.create). */
export function parseAttestation(input: unknown): Result<{ proof: RegistrationResponseJSON }> {
  const envelope = credentialEnvelope(input);
  if (!envelope) return unreadable();
  const { outer, response } = envelope;
  if (!isEncoded(response.attestationObject)) return unreadable();
  const transports = Array.isArray(response.transports) ? response.transports.filter((t): t is string => typeof t === "string" && knownTransports.has(t)) : [];
  return {
    ok: true,
    proof: {
      id: outer.id as string,
      rawId: outer.rawId as string,
      type: "public-key",
      clientExtensionResults: {},
      response: {
        clientDataJSON: response.clientDataJSON as string,
        attestationObject: response.attestationObject as string,
        transports: transports as RegistrationResponseJSON["response"]["transports"],
      },
    },
  };
}
