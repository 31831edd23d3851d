import { activeMethods } from "../../domain/login-flow/flow.js";
import type { ServiceDeps } from "../deps.js";
import { factorFor } from "../factors/registry.js";
import { toMethodView, type MethodView } from "../factors/method-view.js";
import type { Authenticated } from "../sessions/sessions.js";

/** The signed-in user's active methods as they may be shown (never a secret): GET /api/me/methods and the method pages. */
export async function listOwnMethods(deps: ServiceDeps, auth: Authenticated): Promise<MethodView[]> {
  return activeMethods(await deps.store.methods.listMethods(auth.user.id)).map(toMethodView);
}

/**
 * One of the user's own active methods, and how many they have (a page warns
 * before the last one goes). Another user's method is null, like a missing one.
 */
export async function findOwnMethod(deps: ServiceDeps, auth: Authenticated, methodId: string): Promise<{ method: MethodView; count: number } | null> {
  const methods = await listOwnMethods(deps, auth);
  const method = methods.find((candidate) => candidate.id === methodId);
  return method ? { method, count: methods.length } : null;
}

/** The method a "Text me a code" button sends to, if the user has one: the first whose factor issues challenges on request (SMS). */
export async function activeSmsMethodId(deps: ServiceDeps, auth: Authenticated): Promise<string | null> {
  return (await listOwnMethods(deps, auth)).find((method) => factorFor(method.type).words.requestChallengeLabel !== null)?.id ?? null;
}
