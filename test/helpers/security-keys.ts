import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import type { User } from "../../src/domain/model.js";
import type { ServiceDeps } from "../../src/services/deps.js";
import { seedUser } from "./runtime.js";
import { apiPost, apiSessionFor } from "./enrol.js";
import { createSoftAuthenticator, type SoftAuthenticator } from "./soft-authenticator.js";

export const testOrigin = "http://localhost:3000";

export interface KeyUser {
  user: User;
  password: string;
  key: SoftAuthenticator;
  methodId: string;
  sessionToken: string;
}

/** A user who added a (software) security key through the JSON API, as a client would. */
export async function userWithKey(app: FastifyInstance, deps: ServiceDeps, input: Parameters<typeof seedUser>[1] = {}): Promise<KeyUser> {
  const { user, password } = await seedUser(deps, input);
  const sessionToken = await apiSessionFor(app, { email: user.email, password });
  const key = createSoftAuthenticator({ origin: testOrigin });
  const methodId = await addKey(app, sessionToken, key, { password });
  return { user, password, key, methodId, sessionToken };
}

export async function addKey(app: FastifyInstance, sessionToken: string, key: SoftAuthenticator, proof: { password?: string }, name = "YubiKey"): Promise<string> {
  const started = await apiPost(app, "/api/me/security-keys/options", proof, { token: sessionToken });
  assert.equal(started.statusCode, 200, started.body);
  const credential = key.register(started.json().webauthnOptions);
  const added = await apiPost(app, "/api/me/security-keys", { name, credential }, { token: sessionToken });
  assert.equal(added.statusCode, 200, added.body);
  return added.json().methodId as string;
}

/** POST /api/login: the flow and the key prompt's options. */
export async function keyLoginStart(app: FastifyInstance, who: { user: User; password: string }): Promise<{ flowId: string; options: Record<string, unknown> }> {
  const response = await apiPost(app, "/api/login", { email: who.user.email, password: who.password });
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json();
  assert.equal(body.status, "second_factor_required");
  assert.ok(body.webauthnOptions, "the key's prompt starts at once: it is the default");
  return { flowId: body.flowId, options: body.webauthnOptions };
}

/** The key prompt's options a page carries (its JSON script element). */
export function optionsIn(body: string): Record<string, unknown> {
  const found = /<script type="application\/json" id="webauthn-options">([^<]*)<\/script>/.exec(body);
  assert.ok(found, "the page carries the key's prompt");
  return JSON.parse(found[1]!) as Record<string, unknown>;
}
