import type { PolicyDeps, PolicyPorts } from "./deps.js";
import { emptyPolicyLayer, policyLayerProblem, PolicyError, resolvePolicy, type EffectivePolicy, type PolicyAudience, type PolicyLayer } from "../../domain/policy.js";
import type { Account, User } from "../../domain/model.js";
import { newEventId } from "../events/audit.js";
import { policyLayerKeys, twoFactorRequirement, type TwoFactorRequirement } from "../../domain/two-factor-requirement.js";
export { maxRememberBrowserDays, policyLayerProblem, PolicyError, type EffectivePolicy, type PolicyAudience, type PolicyLayer } from "../../domain/policy.js";

/** P1: whether 2FA is required of this user, and from when (the earliest date of any layer covering them). */
export async function twoFactorRequirementFor(deps: PolicyDeps, user: User): Promise<TwoFactorRequirement> {
  const policy = await effectivePolicyFor(deps, user);
  return twoFactorRequirement([policy.requireTwoFactorFrom], deps.clock.now());
}

/** The policy that applies to `user`, in two reads (the account with its parent's and grandparent's ids, then their layers); `store` is a transaction's ports when the read belongs to one (the second step's). */
export async function effectivePolicyFor(deps: PolicyDeps, user: User, store: PolicyPorts = deps.store): Promise<EffectivePolicy> {
  const lineage = await store.accounts.findAccountLineage(user.accountId);
  if (!lineage) throw new Error(`user ${user.id} has no account`);
  const { account, parentId, grandparentId } = lineage;
  // The policy rows that apply to a user of `account`, most general first (P1, P2, M5; see domain/two-factor-requirement.ts).
  const keys = policyLayerKeys(account, parentId ? { id: parentId } : null, account.kind === "customer" && grandparentId ? { id: grandparentId } : null);
  return resolvePolicy(account.kind, await store.accounts.findPolicyLayers(keys));
}

/**
 * Changes one policy layer; fields not given keep their value. Recorded in the
 * event log's account. Throws PolicyError, saving nothing, for a layer that
 * would make SMS the only allowed method (SECURITY 27).
 */
export async function setPolicy(
  deps: PolicyDeps,
  account: Account,
  audience: PolicyAudience,
  changes: Partial<PolicyLayer>,
  actor: User | null = null,
): Promise<PolicyLayer> {
  const [current] = await deps.store.accounts.findPolicyLayers([{ accountId: account.id, audience }]);
  const layer: PolicyLayer = { ...(current ?? emptyPolicyLayer), ...changes };
  const problem = policyLayerProblem(layer);
  if (problem) throw new PolicyError(problem);
  await deps.store.transaction(async (store) => {
    await store.accounts.savePolicyLayer(account.id, audience, layer, deps.clock.now());
    await store.events.appendEvent({
      id: newEventId(deps, deps.clock.now()),
      accountId: account.id,
      actorUserId: actor?.id ?? null,
      subjectUserId: null,
      type: "policy.changed",
      detail: { audience, policy: JSON.stringify(layer) },
      clientAddress: null,
      userAgent: null,
      createdAt: deps.clock.now(),
    });
  });
  return layer;
}
