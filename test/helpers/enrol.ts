import assert from "node:assert/strict";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { AccountKind, Role, User } from "../../src/domain/model.js";
import type { ServiceDeps } from "../../src/services/deps.js";
import { startLogin } from "../../src/services/login/start-login.js";
import { resolveSession } from "../../src/services/sessions/sessions.js";
import { beginTotpEnrolment, confirmTotpEnrolment, showTotpEnrolment } from "../../src/services/factors/totp/enrolment.js";
import type { PolicyLayer } from "../../src/domain/policy.js";
import { seedUser } from "./runtime.js";
import { codeFor } from "./totp.js";

export interface EnrolledUser {
  user: User;
  password: string;
  keyBase32: string;
  recoveryCodes: string[];
  methodId: string;
}

const setupContext = { clientAddress: null, userAgent: "test-setup" };

/**
 * Seeds a user and turns on TOTP through the services, as the settings flow
 * would. The confirmation claims the *current* time step, so a login in the
 * same 30 s with the same code is a replay: advance the clock first.
 * No client address is used, so no per-address counter is touched.
 */
export async function enrolTotp(
  deps: ServiceDeps,
  input: { email?: string; password?: string; kind?: AccountKind; role?: Role; policy?: Partial<PolicyLayer> } = {},
): Promise<EnrolledUser> {
  const { user, password } = await seedUser(deps, input);
  return enrolTotpFor(deps, user, password);
}

/** Turns on TOTP for an existing user (same steps as `enrolTotp`). */
export async function enrolTotpFor(deps: ServiceDeps, user: User, password: string): Promise<EnrolledUser> {
  const login = await startLogin(deps, { email: user.email, password }, setupContext);
  if (!login.ok || login.kind !== "authenticated") throw new Error("enrolTotp: the seeded user could not log in");
  const auth = await resolveSession(deps, login.sessionToken);
  if (!auth) throw new Error("enrolTotp: no session");
  const begun = await beginTotpEnrolment(deps, auth, { password }, setupContext);
  if (!begun.ok) throw new Error(`enrolTotp: ${begun.code}`);
  const view = await showTotpEnrolment(deps, auth, begun.methodId);
  if (!view.ok) throw new Error(`enrolTotp: ${view.code}`);
  const confirmed = await confirmTotpEnrolment(deps, auth, { methodId: begun.methodId, code: codeFor(view.keyBase32, deps.clock.now()) }, setupContext);
  if (!confirmed.ok || !confirmed.recoveryCodes) throw new Error(`enrolTotp: ${confirmed.ok ? "no recovery codes" : confirmed.code}`);
  return { user, password, keyBase32: view.keyBase32, recoveryCodes: confirmed.recoveryCodes, methodId: begun.methodId };
}

/** JSON API calls through `inject`, from a chosen client address, with an optional Bearer session. */
export function apiPost(
  app: FastifyInstance,
  url: string,
  payload: object,
  options: { token?: string; address?: string } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: "POST",
    url,
    payload,
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    remoteAddress: options.address ?? "198.51.100.7",
  });
}

export function apiGet(app: FastifyInstance, url: string, options: { token?: string; address?: string } = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: "GET", url, headers: options.token ? { authorization: `Bearer ${options.token}` } : {}, remoteAddress: options.address ?? "198.51.100.7" });
}

/** POST /api/login and expect the second step; returns the flow token. */
export async function apiStartLogin(app: FastifyInstance, credentials: { email: string; password: string }, address?: string): Promise<string> {
  const response = await apiPost(app, "/api/login", credentials, address ? { address } : {});
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json() as { status: string; flowId?: string };
  assert.equal(body.status, "second_factor_required");
  return body.flowId!;
}

/** POST /api/login for a user without 2FA; returns the session token. */
export async function apiSessionFor(app: FastifyInstance, credentials: { email: string; password: string }, address?: string): Promise<string> {
  const response = await apiPost(app, "/api/login", credentials, address ? { address } : {});
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json() as { status: string; sessionToken?: string };
  assert.equal(body.status, "authenticated");
  return body.sessionToken!;
}

/** Full API login with a TOTP code; returns the session token. */
export async function apiLoginWithCode(app: FastifyInstance, credentials: { email: string; password: string }, code: string, address?: string): Promise<string> {
  const flowId = await apiStartLogin(app, credentials, address);
  const response = await apiPost(app, "/api/login/second-factor", { flowId, code }, address ? { address } : {});
  assert.equal(response.statusCode, 200, response.body);
  return (response.json() as { sessionToken: string }).sessionToken;
}
