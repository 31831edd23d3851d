import type { PolicyAudience } from "../../domain/policy.js";

/** P1: the reminders before a 2FA deadline, and the reads that find whom they are for. */
export interface ReminderStore {
  /** Policy rows whose requirement date is in [from, to). */
  listRequirementRows(from: number, to: number): Promise<{ accountId: string; audience: PolicyAudience; requireTwoFactorFrom: number }[]>;

  /**
   * Active users a policy row covers who have no active method: own_users → the
   * account's users; reseller_users → users of the accounts under it;
   * customer_users → users of customer accounts under it or two levels under it.
   */
  listUncoveredUserIds(accountId: string, audience: PolicyAudience): Promise<string[]>;

  /** Single use: true for exactly one caller per (user, deadline, days before) — an insert that ignores a conflict. */
  claimReminder(input: { userId: string; deadline: number; daysBefore: number; claimedAt: number }): Promise<boolean>;
}
