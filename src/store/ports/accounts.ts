import type { Account, User } from "../../domain/model.js";
import type { PolicyAudience, PolicyLayer } from "../../domain/policy.js";

/** Accounts, their users and the policy layers set on them. */
export interface AccountStore {
  insertAccount(account: Account): Promise<void>;

  findAccountById(id: string): Promise<Account | undefined>;

  findAccountByName(name: string): Promise<Account | undefined>;

  insertUser(user: User): Promise<void>;

  findUserById(id: string): Promise<User | undefined>;

  /** Emails are stored lower-cased; pass a lower-cased email. */
  findUserByEmail(email: string): Promise<User | undefined>;

  updatePasswordHash(userId: string, passwordHash: string): Promise<void>;

  /** Deactivates (false) or reactivates a user: an inactive user has no sessions and no working API keys. */
  setUserActive(userId: string, active: boolean): Promise<void>;

  /** Policy rows for (account, audience) pairs, in the order asked; missing rows are skipped. */
  findPolicyLayers(keys: { accountId: string; audience: PolicyAudience }[]): Promise<PolicyLayer[]>;

  savePolicyLayer(accountId: string, audience: PolicyAudience, layer: PolicyLayer, now: number): Promise<void>;
}
