import type { DepsOf } from "../../deps.js";
import type { AuthenticatorTransport } from "@simplewebauthn/server";
import { activeMethods } from "../../../domain/login-flow/flow.js";
import type { Method } from "../../../domain/model.js";
import type { ServiceDeps } from "../../deps.js";

/**
 * What a WebAuthn method keeps of its credential, sealed like every method's
 * secret (AES-256-GCM bound to the method id): a public key is no secret, but
 * sealing it means a row edited in the database (someone's own key put on a
 * victim's method) fails to open instead of verifying. The credential id is a
 * column of its own (`methods.credential_id`, unique) because logins look it up.
 */
export interface StoredCredential {
  /** The COSE public key, base64url. */
  publicKey: string;
  /** Transports the authenticator reported ("usb", "nfc", "internal", "hybrid"…): the browser's hint where to look. */
  transports: string[];
  /** A synced (multi-device) passkey rather than a key bound to one device. */
  backedUp: boolean;
}

export function sealCredential(credential: StoredCredential): Uint8Array {
  return Buffer.from(JSON.stringify(credential), "utf8");
}

export function openCredential(deps: Pick<ServiceDeps, "secretBox">, method: Method): StoredCredential {
  const opened = deps.secretBox.open(method.secretCiphertext, method.id);
  const credential = JSON.parse(Buffer.from(opened).toString("utf8")) as StoredCredential;
  opened.fill(0);
  return credential;
}

/** What the method list may show of a key: never an id or key material. */
export function credentialHint(credential: Pick<StoredCredential, "backedUp">): string {
  return credential.backedUp ? "Synced passkey" : "Security key or device passkey";
}

/** The user's active keys as the browser names them: to allow at a prompt, or to exclude when adding another. */
export async function keyDescriptors(deps: DepsOf<"secretBox", "methods">, userId: string): Promise<{ id: string; transports: AuthenticatorTransport[] }[]> {
  const keys = activeMethods(await deps.store.methods.listMethods(userId)).filter((method) => method.type === "webauthn" && method.credentialId);
  return keys.map((key) => ({ id: key.credentialId!, transports: openCredential(deps, key).transports as AuthenticatorTransport[] }));
}
