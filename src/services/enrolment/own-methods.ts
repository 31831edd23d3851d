import type { EnrolmentDeps } from "./deps.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import { factorFor } from "../factors/registry.js";
import { toMethodView, type MethodView } from "../factors/method-view.js";
import type { Authenticated } from "../sessions/sessions.js";

/** The signed-in user's active methods as they may be shown (never a secret): GET /api/me/methods and the method pages. */
export async function listOwnMethods(deps: EnrolmentDeps, auth: Authenticated): Promise<MethodView[]> {
  return activeMethods(await deps.store.methods.listMethods(auth.user.id)).map(toMethodView);
}

/**
 * One of the user's own active methods, and how many they have (a page warns
 * before the last one goes). Another user's method is null, like a missing one.
 */
export async function findOwnMethod(deps: EnrolmentDeps, auth: Authenticated, methodId: string): Promise<{ method: MethodView; count: number } | null> {
  const methods = await listOwnMethods(deps, auth);
  const method = methods.find((candidate) => candidate.id === methodId);
  return method ? { method, count: methods.length } : null;
}

/** A "send me a code" button: the method it sends to and its words, from the factor (SMS: "Text me a code"). */
export interface CodeOnRequest {
  methodId: string;
  label: string;
}

/** The user's first method whose factor sends a code when asked (`words.requestChallengeLabel`), or null. */
export async function codeOnRequest(deps: EnrolmentDeps, auth: Authenticated): Promise<CodeOnRequest | null> {
  for (const method of await listOwnMethods(deps, auth)) {
    const label = factorFor(method.type).words.requestChallengeLabel;
    if (label !== null) return { methodId: method.id, label };
  }
  return null;
}
