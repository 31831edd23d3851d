import type { Account, AccountKind, Role } from "../domain/model.js";
import { emptyPolicyLayer } from "../domain/policy.js";
import type { ServiceDeps } from "./deps.js";
import { createAccount, createUser } from "./access/users.js";

/** The demo data of the quick start; README.md lists the same credentials. */
export const demoUsers: { email: string; name: string; password: string; role: Role; account: string; note: string }[] = [
  { email: "support@twostep.test", name: "Sam Support", password: "support-password-1", role: "support", account: "twostep platform", note: "platform support staff" },
  { email: "admin@acme.test", name: "Ada Admin", password: "admin-password-1", role: "admin", account: "Acme Hosting", note: "reseller admin" },
  { email: "member@acme.test", name: "Max Member", password: "member-password-1", role: "member", account: "Acme Hosting", note: "reseller member" },
  { email: "customer@globex.test", name: "Grace Globex", password: "customer-password-1", role: "member", account: "Globex Ltd", note: "storefront customer of Acme Hosting" },
  { email: "billing@globex.test", name: "Bill Globex", password: "customer-password-2", role: "member", account: "Globex Ltd", note: "second user of Globex Ltd" },
  { email: "owner@hooli.test", name: "Gavin Hooli", password: "customer-password-3", role: "admin", account: "Hooli", note: "storefront customer of Acme Hosting" },
  { email: "admin@initech.test", name: "Ian Initech", password: "admin-password-2", role: "admin", account: "Initech Domains", note: "admin of a second reseller" },
  { email: "customer@umbrella.test", name: "Ursula Umbrella", password: "customer-password-4", role: "member", account: "Umbrella Corp", note: "storefront customer of Initech Domains" },
];

const demoAccounts: { name: string; kind: AccountKind; parent: string | null }[] = [
  { name: "twostep platform", kind: "platform", parent: null },
  { name: "Acme Hosting", kind: "reseller", parent: "twostep platform" },
  { name: "Globex Ltd", kind: "customer", parent: "Acme Hosting" },
  { name: "Hooli", kind: "customer", parent: "Acme Hosting" },
  { name: "Initech Domains", kind: "reseller", parent: "twostep platform" },
  { name: "Umbrella Corp", kind: "customer", parent: "Initech Domains" },
];

/**
 * Loads the demo accounts and users into an empty database; does nothing when
 * they are already there. Reseller users follow the reseller-panel style
 * (a recovery code disables 2FA, disabling sets a new password); customers keep
 * the storefront defaults.
 */
export async function loadDemoData(deps: ServiceDeps): Promise<{ created: boolean }> {
  if (await deps.store.accounts.findAccountByName("twostep platform")) return { created: false };
  const accounts = new Map<string, Account>();
  for (const spec of demoAccounts) {
    const parentId = spec.parent ? accounts.get(spec.parent)!.id : null;
    accounts.set(spec.name, await createAccount(deps, { name: spec.name, kind: spec.kind, parentId }));
  }
  const platform = accounts.get("twostep platform")!;
  await deps.store.accounts.savePolicyLayer(
    platform.id,
    "reseller_users",
    { ...emptyPolicyLayer, recoveryCodePolicy: "disable", rotatePasswordOnDisable: true },
    deps.clock.now(),
  );
  const system = { clientAddress: null, userAgent: "twostep demo:load" };
  for (const spec of demoUsers) {
    const result = await createUser(deps, { accountId: accounts.get(spec.account)!.id, email: spec.email, displayName: spec.name, password: spec.password, role: spec.role }, system);
    if (!result.ok) throw new Error(`demo user ${spec.email}: ${result.code}`);
  }
  return { created: true };
}
