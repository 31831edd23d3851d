import assert from "node:assert/strict";
import type { ApiClient } from "./api-client.js";

/** POST /api/me/api-keys with a session token; returns the new key and its id. */
export async function createKeyThroughApi(api: ApiClient, token: string, name = "test key", expiresInDays = 30): Promise<{ key: string; id: string }> {
  const created = await api.post("/api/me/api-keys", { name, expiresInDays }, token);
  assert.equal(created.status, 201, created.raw.body);
  return { key: created.body.key as string, id: created.body.id as string };
}
