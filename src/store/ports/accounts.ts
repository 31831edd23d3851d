import type { Account, MethodType, User } from "../../domain/model.js";
import type { PolicyAudience, PolicyLayer } from "../../domain/policy.js";

/** Accounts, their users and the policy layers set on them. */
export interface AccountStore {
  insertAccount(account: Account): Promise<void>;

  findAccountById(id: string): Promise<Account | undefined>;

  /** The account and the ids of its parent and grandparent accounts (null where there is none), in one read: what a user's policy layers are keyed on. */
  findAccountLineage(id: string): Promise<{ account: Account; parentId: string | null; grandparentId: string | null } | undefined>;

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

  /**
   * A1: one page of an account's users in email order, after the keyset cursor
   * `afterEmail` (exclusive), each with its active method types and last login.
   * `search` (lower-cased) matches an email prefix or a display name prefix.
   */
  listAccountUsers(query: AccountUsersQuery): Promise<DirectoryEntry[]>;

  /** A1: the whole account's coverage: how many users, how many with an active 2FA method. */
  countAccountUsers(accountId: string): Promise<{ total: number; withTwoFactor: number }>;
}

export interface AccountUsersQuery {
  accountId: string;
  search?: string | null;
  withoutTwoFactor?: boolean;
  afterEmail?: string | null;
  limit: number;
}

export interface DirectoryEntry {
  user: User;
  /** Types of the user's active methods, each once, sorted. */
  methodTypes: MethodType[];
  /** When the user's newest session was created; null if never. */
  lastLoginAt: number | null;
}
