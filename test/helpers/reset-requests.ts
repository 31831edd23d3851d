/** A2 test cast: a reseller with an admin and a member, and platform support; everyone with TOTP. */
import { randomBytes } from "node:crypto";
import type { Account, Role } from "../../src/domain/model.js";
import type { ServiceDeps } from "../../src/services/deps.js";
import { createAccount, createUser } from "../../src/services/access/users.js";
import { ApiClient, nextCode } from "./api-client.js";
import { enrolTotpFor, type EnrolledUser } from "./enrol.js";
import type { TestClock } from "./runtime.js";

export interface ResetCast {
  platform: Account;
  reseller: Account;
  admin: EnrolledUser;
  member: EnrolledUser;
  support: EnrolledUser;
  support2: EnrolledUser;
  platformAdmin: EnrolledUser;
}

export async function userIn(deps: ServiceDeps, account: Account, role: Role, displayName: string): Promise<EnrolledUser> {
  const password = "correct horse battery";
  const email = `${displayName.toLowerCase().replace(/\W+/g, ".")}-${randomBytes(3).toString("hex")}@example.test`;
  const created = await createUser(deps, { accountId: account.id, email, password, role, displayName }, { clientAddress: null, userAgent: "test" });
  if (!created.ok) throw new Error(`userIn: ${created.code}`);
  return enrolTotpFor(deps, created.user, password);
}

export async function resetCast(deps: ServiceDeps): Promise<ResetCast> {
  const tag = randomBytes(3).toString("hex");
  const platform = await createAccount(deps, { name: `Platform ${tag}`, kind: "platform", parentId: null });
  const reseller = await createAccount(deps, { name: `Reseller ${tag}`, kind: "reseller", parentId: platform.id });
  return {
    platform,
    reseller,
    admin: await userIn(deps, reseller, "admin", "Ada Admin"),
    member: await userIn(deps, reseller, "member", "Max Member"),
    support: await userIn(deps, platform, "support", "Sam Support"),
    support2: await userIn(deps, platform, "support", "Sue Support"),
    platformAdmin: await userIn(deps, platform, "admin", "Pat Platform"),
  };
}

/** Logs in through the API with password and a current TOTP code: a session fresh enough to step up. */
export async function freshToken(api: ApiClient, who: EnrolledUser, clock: TestClock): Promise<string> {
  const flowId = await api.flowFor(who.user.email, who.password);
  const response = await api.post("/api/login/second-factor", { flowId, code: nextCode(who.keyBase32, clock) });
  if (response.status !== 200) throw new Error(`freshToken: ${response.raw.body}`);
  return response.body.sessionToken as string;
}
