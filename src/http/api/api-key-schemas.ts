import { Type } from "@sinclair/typebox";
import type { ApiKeyView } from "../../services/api-keys/manage-api-keys.js";
import { iso } from "./present.js";

const time = Type.String({ format: "date-time" });
const maybeTime = Type.Union([time, Type.Null()]);

// No length limits here: the service answers `invalid_api_key_name` / `invalid_api_key_expiry` with the field.
export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ description: "1 to 64 characters, to tell keys apart", examples: ["deploy script"] }),
    expiresInDays: Type.Integer({ description: "1 to 365", examples: [90] }),
  },
  { additionalProperties: false },
);

export const ApiKeyBody = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** Enough to recognise a key, never enough to use it. */
  prefix: Type.String({ description: "The key's public start, e.g. tsk_abcd2345" }),
  last4: Type.String({ description: "The key's last four characters" }),
  status: Type.Union([Type.Literal("active"), Type.Literal("expired"), Type.Literal("revoked")]),
  createdAt: time,
  lastUsedAt: maybeTime,
  expiresAt: maybeTime,
  revokedAt: maybeTime,
});

export const CreatedApiKeyResponse = Type.Object({
  ...ApiKeyBody.properties,
  key: Type.String({ description: "The key itself. Shown only in this response: it is stored hashed and cannot be shown again." }),
});

export const ApiKeysResponse = Type.Object({ apiKeys: Type.Array(ApiKeyBody) });

const id = Type.String({ pattern: "^[A-Za-z0-9-]{1,64}$" });
export const ApiKeyIdParams = Type.Object({ id }, { additionalProperties: false });
export const UserIdParams = Type.Object({ userId: id }, { additionalProperties: false });
export const UserApiKeyParams = Type.Object({ userId: id, id }, { additionalProperties: false });

export function presentApiKey(key: ApiKeyView) {
  const when = (value: number | null) => (value === null ? null : iso(value));
  return {
    id: key.id,
    name: key.name,
    prefix: key.displayPrefix,
    last4: key.last4,
    status: key.status,
    createdAt: iso(key.createdAt),
    lastUsedAt: when(key.lastUsedAt),
    expiresAt: when(key.expiresAt),
    revokedAt: when(key.revokedAt),
  };
}
