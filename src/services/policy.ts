import { emptyPolicyLayer, policyLayerProblem, PolicyError, resolvePolicy, type EffectivePolicy, type PolicyAudience, type PolicyLayer } from "../domain/policy.js";
import type { Account, User } from "../domain/model.js";
import type { ServiceDeps } from "./deps.js";
import { newEventId } from "./audit.js";

/** The policy rows that apply to a user of `account`, most general first (P1, P2, M5). */
async function layerKeys(deps: ServiceDeps, account: Account): Promise<{ accountId: string; audience: PolicyAudience }[]> {
  if (account.kind === "platform") return [{ accountId: account.id, audience: "own_users" }];
  const parent = account.parentId ? await deps.store.accounts.findAccountById(account.parentId) : undefined;
  if (account.kind === "reseller") {
    return [...(parent ? [{ accountId: parent.id, audience: "reseller_users" as const }] : []), { accountId: account.id, audience: "own_users" }];
  }
  // A customer: platform → its reseller's rules for customers → the customer account itself.
  const platformId = parent?.parentId ?? null;
  return [
    ...(platformId ? [{ accountId: platformId, audience: "customer_users" as const }] : []),
    ...(parent ? [{ accountId: parent.id, audience: "customer_users" as const }] : []),
    { accountId: account.id, audience: "own_users" },
  ];
}

export async function effectivePolicyFor(deps: ServiceDeps, user: User): Promise<EffectivePolicy> {
  const account = await deps.store.accounts.findAccountById(user.accountId);
  if (!account) throw new Error(`user ${user.id} has no account`);
  const layers = await deps.store.accounts.findPolicyLayers(await layerKeys(deps, account));
  return resolvePolicy(account.kind, layers);
}

/**
 * Changes one policy layer; fields not given keep their value. Recorded in the
 * event log's account. Throws PolicyError, saving nothing, for a layer that
 * would make SMS the only allowed method (SECURITY 27).
 */
export async function setPolicy(
  deps: ServiceDeps,
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
