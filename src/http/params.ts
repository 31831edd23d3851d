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

/** A user id or a reset request id in a path: the same shape as a method id, checked the same way. */
export const UserIdParams = Type.Object({ userId: Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$" }) }, { additionalProperties: false });
export const RequestIdParams = Type.Object({ id: Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$" }) }, { additionalProperties: false });
