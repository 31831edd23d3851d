import { resolvePolicy, type EffectivePolicy, type PolicyAudience } from "../domain/policy.js";
import type { Account, User } from "../domain/model.js";
import type { ServiceDeps } from "./deps.js";

/** The policy rows that apply to a user of `account`, most general first (P1, P2, M5). */
async function layerKeys(deps: ServiceDeps, account: Account): Promise<{ accountId: string; audience: PolicyAudience }[]> {
  if (account.kind === "platform") return [{ accountId: account.id, audience: "own_users" }];
  const parent = account.parentId ? await deps.store.findAccountById(account.parentId) : undefined;
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
  const account = await deps.store.findAccountById(user.accountId);
  if (!account) throw new Error(`user ${user.id} has no account`);
  const layers = await deps.store.findPolicyLayers(await layerKeys(deps, account));
  return resolvePolicy(account.kind, layers);
}
