import type { ThrottleDeps, ThrottlePorts } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import { lockSchedule, type ThrottlePolicy } from "../../domain/throttle.js";
import type { LockSchedule } from "../../store/store.js";
import type { RequestContext } from "../deps.js";

/**
 * One failure counter per user and one per client address, in the store, so
 * every surface (pages, JSON API), every factor and every server instance
 * shares them (SECURITY 7, 9). Nothing here is per login flow, so restarting
 * the login does not reset anything (SECURITY 8).
 */
const schedules = new WeakMap<ThrottlePolicy, LockSchedule>();

function scheduleFor(policy: ThrottlePolicy): LockSchedule {
  let schedule = schedules.get(policy);
  if (!schedule) {
    schedule = { rows: lockSchedule(policy) };
    schedules.set(policy, schedule);
  }
  return schedule;
}

export const userKey = (userId: string) => `user:${userId}`;
export const addressKey = (address: string) => `address:${address}`;

export interface AttemptTicket {
  /** True when this attempt, if it fails, leaves the user locked (record and tell: SECURITY 12). */
  locksOnFailure: boolean;
}

/** Counts one second-factor attempt for the user and the address, or refuses it while either is locked. */
export async function takeAttempt(deps: ThrottleDeps, store: ThrottlePorts, userId: string, context: RequestContext): Promise<Result<AttemptTicket>> {
  const now = deps.clock.now();
  if (context.clientAddress) {
    const byAddress = await store.counters.countAttempt(addressKey(context.clientAddress), now, scheduleFor(deps.config.addressThrottle));
    if (!byAddress.allowed) return fail("locked_out", { retryAfterSeconds: Math.ceil((byAddress.lockedUntil - now) / 1000) });
  }
  const byUser = await store.counters.countAttempt(userKey(userId), now, scheduleFor(deps.config.userThrottle));
  if (!byUser.allowed) return fail("locked_out", { retryAfterSeconds: Math.ceil((byUser.lockedUntil - now) / 1000) });
  return { ok: true, locksOnFailure: byUser.lockedUntil !== null };
}

/** An attempt that checked nothing (no argon2id place came free, a 503): both its counts are given back. */
export async function returnAttempt(deps: ThrottleDeps, store: ThrottlePorts, userId: string, context: RequestContext): Promise<void> {
  const now = deps.clock.now();
  await store.counters.refundAttempt(userKey(userId), now);
  if (context.clientAddress) await store.counters.refundAttempt(addressKey(context.clientAddress), now);
}

/** Success clears the user's counter (SECURITY 8) and gives the address back its one slot. */
export async function settleSuccessfulAttempt(deps: ThrottleDeps, store: ThrottlePorts, userId: string, context: RequestContext): Promise<void> {
  await store.counters.clearAttempts(userKey(userId));
  if (context.clientAddress) await store.counters.refundAttempt(addressKey(context.clientAddress), deps.clock.now());
}
