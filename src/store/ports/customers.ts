import type { Account, MethodType, User } from "../../domain/model.js";

/** One customer account in a reseller's list (A3), with how many of its users have 2FA. */
export interface CustomerAccountRow {
  account: Account;
  users: number;
  usersWithTwoFactor: number;
}

/** A user of a customer account with the types of its active methods (none: 2FA is off). Never a secret. */
export interface CustomerUserRow {
  user: User;
  activeMethodTypes: MethodType[];
}

/** A3, the storefront manager: a reseller's customer accounts and their users' 2FA status. */
export interface CustomerStore {
  /**
   * The reseller's customer accounts (`parent_id` = reseller), by name, after
   * `afterName` (keyset: no offset scan), whose name starts with `namePrefix`
   * (case-insensitive), at most `limit`. Uses the index accounts(parent_id, name).
   */
  listCustomerAccounts(resellerId: string, options: { afterName?: string | null; namePrefix?: string | null; limit: number }): Promise<CustomerAccountRow[]>;

  /** Every user of one account, by email, with their active method types. */
  listAccountUsersWithMethods(accountId: string): Promise<CustomerUserRow[]>;
}
