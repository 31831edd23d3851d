/**
 * @simplewebauthn/server, loaded on first use: importing it costs a server
 * about 25 MB of resident memory (its ASN.1, CBOR and crypto modules), which a
 * deployment whose users never add a key should not pay at start.
 */
type Library = typeof import("@simplewebauthn/server");

let loading: Promise<Library> | undefined;

export function webauthnLibrary(): Promise<Library> {
  loading ??= import("@simplewebauthn/server");
  return loading;
}
