import type { SessionsDeps } from "./deps.js";
import { fail, ok, type Outcome } from "../../domain/errors.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import type { RequestContext } from "../deps.js";
import { countedCheck } from "../factors/counted-check.js";
import { factorFor, registeredFactors } from "../factors/registry.js";
import type { Authenticated } from "./sessions.js";

/**
 * Fresh verification for a sensitive change (SECURITY 17, 29): the password, a
 * current code of one of the user's methods, or a security key's assertion
 * answering a challenge issued for this session. Each try takes a slot on the
 * same per-user counter as the login (SECURITY 10), so a stolen session cannot
 * be used to guess codes at leisure either.
 */
export async function reauthenticate(
  deps: SessionsDeps,
  auth: Authenticated,
  proof: { password?: string; code?: string; credential?: unknown },
  context: RequestContext,
): Promise<Outcome> {
  const { user } = auth;
  const password = proof.password ?? "";
  const code = (proof.code ?? "").replace(/\s/g, "");
  const byKey = !password && !code && proof.credential !== undefined && proof.credential !== "";
  if (!password && !code && !byKey) return fail("password_incorrect", { field: "password" });
  if (!password && !byKey && !/^\d{6}$/.test(code)) return fail("invalid_code_format", { field: "code" });
  if (password.length > 256) return fail("password_incorrect", { field: "password" });
  // The assertion's shape is checked before a slot is taken: junk costs nothing (SECURITY 5).
  const keyFactor = byKey ? registeredFactors().find((factor) => factor.proofField === "credential" && factor.parseProof(proof.credential).ok) : undefined;
  if (byKey && !keyFactor) return fail("invalid_security_key_response", { field: "credential" });
  const checked = await countedCheck(
    deps,
    user,
    {
      action: "reauthenticate",
      factor: password ? "password" : keyFactor ? keyFactor.type : "code",
      wrong: password ? fail("password_incorrect", { field: "password" }) : keyFactor ? fail(keyFactor.wrongProof, { field: "credential" }) : fail("invalid_code", { field: "code" }),
      context,
    },
    async () => (password ? await deps.passwords.verify(user.passwordHash, password) : await verifyAnyMethod(deps, auth, byKey ? proof.credential : code, context)) || false,
  );
  return checked.ok ? ok : checked;
}

/**
 * A proof of any of the user's methods, each factor judging the input in its
 * own shape: an SMS code must have been sent for this session ("verify"), a
 * key must answer a challenge issued for it. Each factor is tried once: a key's
 * challenge is spent by the first try, whichever of the user's keys signed.
 */
async function verifyAnyMethod(deps: SessionsDeps, auth: Authenticated, input: unknown, context: RequestContext): Promise<boolean> {
  const tried = new Set<string>();
  for (const method of activeMethods(await deps.store.methods.listMethods(auth.user.id))) {
    const factor = factorFor(method.type);
    const parsed = factor.parseProof(input);
    if (!parsed.ok || (factor.presentation === "browser_prompt" && tried.has(method.type))) continue;
    tried.add(method.type);
    if (await factor.verifyAndConsume(deps, deps.store, method, parsed.proof, { purpose: "verify", bindingId: auth.session.id }, context)) return true;
  }
  return false;
}
