import type { PolicyDeps } from "./deps.js";
import { activeMethods } from "../../domain/login-flow/flow.js";
import { dayMilliseconds, dueReminder, reminderDaysBefore, twoFactorRequirement } from "../../domain/two-factor-requirement.js";
import { recordEvent } from "../events/audit.js";
import { effectivePolicyFor } from "./policy.js";
import { startPeriodicTask } from "../periodic.js";

const systemContext = { clientAddress: null, userAgent: "twostep reminders" };

/**
 * P1: the reminders 14, 3 and 1 days before a 2FA deadline, for users covered
 * by a requirement who have no active method. Each (user, deadline, days
 * before) is claimed once through the database and, in the same transaction,
 * recorded as a `two_factor.reminder` event {daysBefore, deadline}: the
 * notification outbox turns that event into the email. Several instances (or a
 * timer and `twostep reminders:send`) running at once record each reminder once.
 * Returns how many reminders this run recorded.
 */
export async function sendTwoFactorReminders(deps: PolicyDeps): Promise<{ recorded: number }> {
  const now = deps.clock.now();
  const longest = Math.max(...reminderDaysBefore);
  // Deadlines whose reminder day may be today: from now to the longest lead time.
  const rows = await deps.store.reminders.listRequirementRows(now, now + longest * dayMilliseconds);
  const candidates = new Set<string>();
  for (const row of rows) {
    if (dueReminder(row.requireTwoFactorFrom, now) === null) continue;
    for (const userId of await deps.store.reminders.listUncoveredUserIds(row.accountId, row.audience)) candidates.add(userId);
  }
  let recorded = 0;
  for (const userId of candidates) {
    const user = await deps.store.accounts.findUserById(userId);
    if (!user || !user.active) continue;
    // The user's own deadline is the earliest of every layer covering them, which may not be the row that found them.
    const requirement = twoFactorRequirement([(await effectivePolicyFor(deps, user)).requireTwoFactorFrom], now);
    if (requirement.status !== "required_later") continue;
    const daysBefore = dueReminder(requirement.deadline, now);
    if (daysBefore === null) continue;
    if (activeMethods(await deps.store.methods.listMethods(user.id)).length > 0) continue;
    const claimed = await deps.store.transaction(async (store) => {
      // Single use across instances: the insert that lands claims the reminder; the event goes with it or not at all.
      if (!(await store.reminders.claimReminder({ userId: user.id, deadline: requirement.deadline, daysBefore, claimedAt: now }))) return false;
      await recordEvent(deps, store, { type: "two_factor.reminder", subject: user, actor: null, context: systemContext, detail: { daysBefore, deadline: requirement.deadline } });
      return true;
    });
    if (claimed) recorded++;
  }
  if (recorded > 0) deps.logger.info({ recorded }, "two-factor reminders recorded");
  return { recorded };
}

/**
 * Runs the reminder job inside the server every `intervalMs` (default one
 * hour: each reminder has a whole day to go out). Runs never overlap in one
 * process; across instances the database claim keeps each reminder single.
 * The timer does not keep the process alive. Returns `stop`.
 */
export function startReminderSchedule(deps: PolicyDeps, options: { intervalMs?: number } = {}): () => void {
  return startPeriodicTask(deps.logger, "two-factor reminders", options.intervalMs ?? 60 * 60 * 1000, () => sendTwoFactorReminders(deps));
}
