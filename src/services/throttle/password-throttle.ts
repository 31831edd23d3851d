import type { ThrottleDeps, ThrottlePorts } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import type { User } from "../../domain/model.js";
import { lockSchedule, type ThrottlePolicy } from "../../domain/throttle.js";
import type { LockSchedule } from "../../store/store.js";
import { createToken, hashToken, isTokenShaped } from "../../security/tokens.js";
import { recordEvent } from "../events/audit.js";
import type { RequestContext } from "../deps.js";

/**
 * The password step per account (issue 7, NIST SP 800-63B 5.2.2). Wrong
 * passwords for one email are counted in the store, before the password is
 * checked (so parallel guesses each take a slot), on a key that is a keyed hash
 * of the normalised email: an unknown email is counted, delayed and answered
 * exactly like a real one, and the key says nothing about who it is.
 *
 * It is a growing delay, never a lockout, and a browser that has completed a
 * login for this user (a known browser, by its token) skips it, counting on its
 * own counter instead: a stranger can slow new browsers, never keep the user out,
 * and a stolen browser token still gives no more than the same slow schedule.
 */
const schedules = new WeakMap<ThrottlePolicy, LockSchedule>();
function scheduleFor(policy: ThrottlePolicy): LockSchedule {
  let schedule = schedules.get(policy);
  if (!schedule) schedules.set(policy, (schedule = { rows: lockSchedule(policy) }));
  return schedule;
}

export interface PasswordSlot {
  /** The counter this attempt was counted on (the account's, or the known browser's). */
  key: string;
  /** True when this attempt, if it fails, starts the account's first delay of a run: tell the user. */
  tripsOnFailure: boolean;
}

const accountKey = (deps: ThrottleDeps, normalisedEmail: string) => `password-account:${deps.codeMac(`password-account:${normalisedEmail}`)}`;

/** Counts one password attempt for this email (or for the user's known browser), or refuses it while delayed. */
export async function takePasswordSlot(
  deps: ThrottleDeps,
  normalisedEmail: string,
  user: User | undefined,
  browserToken: unknown,
  store: ThrottlePorts,
): Promise<Result<PasswordSlot>> {
  const now = deps.clock.now();
  const policy = deps.config.accountPasswordThrottle;
  // Looked up for an unknown email too, so both take the same statements.
  const browser = await knownBrowserOf(deps, browserToken, user?.id ?? null, store);
  const key = browser ? `password-browser:${browser}` : accountKey(deps, normalisedEmail);
  const count = await store.counters.countAttempt(key, now, scheduleFor(policy));
  if (!count.allowed) return fail("locked_out", { retryAfterSeconds: Math.ceil((count.lockedUntil - now) / 1000) });
  return { ok: true, key, tripsOnFailure: !browser && count.failures === policy.freeFailures };
}

/** A wrong password: the first delay of a run is recorded, so the user is told (by email, from the event log). */
export async function settleWrongPassword(deps: ThrottleDeps, slot: PasswordSlot, user: User | undefined, context: RequestContext, store: ThrottlePorts): Promise<void> {
  if (!slot.tripsOnFailure || !user) return;
  const policy = deps.config.accountPasswordThrottle;
  await recordEvent(deps, store, {
    type: "login.password_throttled",
    subject: user,
    actor: null,
    context,
    detail: { failures: policy.freeFailures, delaySeconds: policy.baseLockSeconds },
  });
}

/** The right password ends the run on the counter it was counted on. */
export async function settleRightPassword(deps: ThrottleDeps, slot: PasswordSlot, store: ThrottlePorts): Promise<void> {
  await store.counters.clearAttempts(slot.key);
}

/** The hash of a live known-browser token of this user, or null (absent, malformed, expired, someone else's). */
async function knownBrowserOf(deps: ThrottleDeps, token: unknown, userId: string | null, store: ThrottlePorts): Promise<string | null> {
  if (!isTokenShaped(token)) return null;
  const tokenHash = hashToken(token);
  const found = await store.knownBrowsers.findKnownBrowser(tokenHash, deps.clock.now());
  return found && found.userId === userId ? tokenHash : null;
}

/**
 * After a completed login: the browser's token, kept if it is already this user's,
 * otherwise a new 256-bit one (returned, to be set as a cookie or given to the API client).
 * `store` is the login's transaction: a completed login writes nothing after its commit.
 */
export async function recordKnownBrowserAfterLogin(deps: ThrottleDeps, userId: string, presented: unknown, store: ThrottlePorts): Promise<string | null> {
  if (await knownBrowserOf(deps, presented, userId, store)) return null;
  const token = createToken();
  const now = deps.clock.now();
  await store.knownBrowsers.recordKnownBrowser({ tokenHash: hashToken(token), userId, createdAt: now, expiresAt: now + deps.config.knownBrowserDays * 86_400_000 });
  return token;
}
