import { fail, type Failure } from "../domain/errors.js";
import { activeMethods } from "../domain/login-flow/flow.js";
import type { RequestContext, ServiceDeps } from "./deps.js";
import { recordVerificationFailure } from "./audit.js";
import { factorFor } from "./factors/registry.js";
import type { Authenticated } from "./sessions.js";
import { settleSuccessfulAttempt, takeAttempt } from "./throttle.js";

/**
 * Fresh verification for a sensitive change (SECURITY 17, 29): the password, or
 * a current code of one of the user's methods. Each try takes a slot on the
 * same per-user counter as the login (SECURITY 10), so a stolen session cannot
 * be used to guess codes at leisure either.
 */
export async function reauthenticate(
  deps: ServiceDeps,
  auth: Authenticated,
  proof: { password?: string; code?: string },
  context: RequestContext,
): Promise<Failure | null> {
  const { user } = auth;
  const password = proof.password ?? "";
  const code = (proof.code ?? "").replace(/\s/g, "");
  if (!password && !code) return fail("password_incorrect", { field: "password" });
  if (!password && !/^\d{6}$/.test(code)) return fail("invalid_code_format", { field: "code" });
  if (password.length > 256) return fail("password_incorrect", { field: "password" });
  const ticket = await takeAttempt(deps, deps.store, user.id, context);
  if ("ok" in ticket) return ticket;
  const right = password
    ? await deps.passwords.verify(user.passwordHash, password)
    : await verifyAnyMethodCode(deps, auth, code);
  if (!right) {
    await recordVerificationFailure(deps, user, { action: "reauthenticate", factor: password ? "password" : "code", locked: ticket.locksOnFailure, context });
    return password ? fail("password_incorrect", { field: "password" }) : fail("invalid_code", { field: "code" });
  }
  await settleSuccessfulAttempt(deps, deps.store, user.id, context);
  return null;
}

/** A code of any of the user's methods; an SMS code must have been sent for this session ("verify"). */
async function verifyAnyMethodCode(deps: ServiceDeps, auth: Authenticated, code: string): Promise<boolean> {
  for (const method of activeMethods(await deps.store.methods.listMethods(auth.user.id))) {
    const factor = factorFor(method.type);
    const parsed = factor.parseProof(code);
    if (parsed.ok && (await factor.verifyAndConsume(deps, deps.store, method, parsed.proof, { purpose: "verify", bindingId: auth.session.id }))) return true;
  }
  return false;
}
