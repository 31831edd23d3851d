/** Two resellers, one with a customer account, and platform support: who sees which events (A4). */
import { recordChangeAndForgetTrustedBrowsers, recordEvent } from "../../src/services/events/audit.js";
import type { ServiceDeps } from "../../src/services/deps.js";
import { createAccount, createUser } from "../../src/services/access/users.js";
import type { User } from "../../src/domain/model.js";
import { seedUser } from "./runtime.js";

export const password = "correct horse battery";

export async function eventLogWorld(deps: ServiceDeps) {
  const admin = (await seedUser(deps, { kind: "reseller", role: "admin" })).user;
  const resellerId = admin.accountId;
  const tag = Math.random().toString(36).slice(2, 8);
  const add = async (accountId: string, name: string, role: "admin" | "member" = "member"): Promise<User> => {
    const created = await createUser(deps, { accountId, email: `${name}-${tag}@example.test`, password, role }, { clientAddress: null, userAgent: "test" });
    if (!created.ok) throw new Error(created.code);
    return created.user;
  };
  const member = await add(resellerId, "member");
  const shop = await createAccount(deps, { name: `shop ${tag}`, kind: "customer", parentId: resellerId });
  const buyer = await add(shop.id, "buyer");
  const other = (await seedUser(deps, { kind: "reseller", role: "admin" })).user;
  const otherMember = await add(other.accountId, "othermember");
  const support = (await seedUser(deps, { kind: "platform", role: "support" })).user;
  const context = { clientAddress: "203.0.113.9", userAgent: "=HYPERLINK(\"http://evil\"),\"x\"" };
  // An admin's action on the member: in both their logs.
  await recordChangeAndForgetTrustedBrowsers(deps, deps.store, { type: "method.reset", subject: member, actor: admin, context, detail: { type: "totp" } });
  await recordChangeAndForgetTrustedBrowsers(deps, deps.store, { type: "password.changed", subject: buyer, context });
  await recordChangeAndForgetTrustedBrowsers(deps, deps.store, { type: "password.changed", subject: otherMember, context });
  return { admin, member, shop, buyer, other, otherMember, support };
}
