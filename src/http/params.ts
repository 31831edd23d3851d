import { Type } from "@sinclair/typebox";

/**
 * Path parameters are checked before any handler runs: a method id is what
 * `randomUUID` makes, letters, digits and dashes, at most 64. Anything else
 * (CR/LF, spaces, quotes, slashes, non-ASCII, megabytes) is a 400 naming
 * `methodId`, and never reaches the store, a page or a Location header.
 */
export const MethodIdParams = Type.Object({ methodId: Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$" }) }, { additionalProperties: false });

/** The same check for a page route: `{ schema: { params: methodIdParams } }`. */
export const methodIdParams = MethodIdParams;

/** A3: a customer account id, and a user of it, in a storefront manager path; the same check as a method id. */
export const CustomerParams = Type.Object({ accountId: Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$" }) }, { additionalProperties: false });
export const CustomerUserParams = Type.Object(
  { accountId: Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$" }), userId: Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$" }) },
  { additionalProperties: false },
);
/** A user id in a path (A1): the same shape as a method id. */
export const UserIdParams = Type.Object({ userId: Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$" }) }, { additionalProperties: false });
export const RequestIdParams = Type.Object({ id: Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$" }) }, { additionalProperties: false });

/** Issue 15: an app's client id in a path (a `randomUUID`): the same shape as a method id. */
export const ClientIdParams = Type.Object({ clientId: Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$" }) }, { additionalProperties: false });
/** L7: a trusted browser's id in a path (the stored hash, base64url of SHA-256: 43 characters). */
export const BrowserIdParams = Type.Object({ browserId: Type.String({ pattern: "^[A-Za-z0-9_-]{43}$" }) }, { additionalProperties: false });
/** Issue 17: a session's row id (never its token). */
export const SessionIdParams = Type.Object({ sessionId: Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$" }) }, { additionalProperties: false });
