import type { ResetDeps } from "./deps.js";
import { fail, type Result } from "../../domain/errors.js";
import { renderResetLinkEmail, resetLinkKind } from "../../domain/email-words.js";
import { lockSchedule } from "../../domain/throttle.js";
import { createToken, hashToken } from "../../security/tokens.js";
import type { RequestContext, ServiceDeps } from "../deps.js";
import { addressKey } from "../throttle/throttle.js";
import { checkEmail, normalizeEmail } from "../access/users.js";
import { sealedLinkEmail } from "../messages/link-emails.js";

const hourSeconds = 3600;
const decoySchedule = { rows: lockSchedule({ freeFailures: 3, baseLockSeconds: 60, maxLockSeconds: 240 }) };

/** The per-account counter's key: a keyed hash of the normalised email, so the counters table names no address. */
export function resetAccountKey(deps: Pick<ServiceDeps, "codeMac">, email: string): string {
  return `reset-account:${deps.codeMac(`password-reset:${normalizeEmail(email)}`)}`;
}

/**
 * PR1, step 1: "Forgot password?". The answer is the same whether or not an
 * account has the email (the caller shows "If an account exists…"): an
 * unknown email is counted on the same limits and answered the same way;
 * only an existing, active account gets a link. Reset emails are limited per
 * client address (one client asking for many emails) and per email (mail
 * bombing one person), both in fixed hourly windows on the shared counters,
 * so every instance and both surfaces count together.
 *
 * The token is 256 random bits (SECURITY 15); only its SHA-256 hash is
 * stored. The email holding the link is enqueued in the same transaction as
 * the reset row (SPEC O3) and its body is erased from the outbox once sent.
 */
export async function requestPasswordReset(deps: ResetDeps, input: { email: string }, context: RequestContext): Promise<Result<{}>> {
  const email = normalizeEmail(input.email);
  const malformed = checkEmail(email);
  if (!malformed.ok) return malformed;
  const now = deps.clock.now();
  const limits = deps.config.passwordReset;
  const retryAfter = (windowStart: number) => ({ retryAfterSeconds: Math.max(1, Math.ceil((windowStart + hourSeconds * 1000 - now) / 1000)) });
  if (context.clientAddress) {
    const byAddress = await deps.store.counters.countInWindow(`reset-${addressKey(context.clientAddress)}`, now, hourSeconds);
    if (byAddress.count > limits.limitPerAddressPerHour) return fail("reset_limit_reached", retryAfter(byAddress.windowStart));
  }
  // Counted before the account is looked up: an email nobody has reaches its limit exactly like a real one.
  const byAccount = await deps.store.counters.countInWindow(resetAccountKey(deps, email), now, hourSeconds);
  if (byAccount.count > limits.limitPerAccountPerHour) return fail("reset_limit_reached", retryAfter(byAccount.windowStart));

  const user = await deps.store.accounts.findUserByEmail(email);
  const sends = user?.active === true && deps.config.email.gateway !== "none";
  if (user?.active && !sends) {
    // Nothing would ever send the link. The log names no email and no token.
    deps.logger.warn({ userId: user.id }, "a password reset was asked for, but TWOSTEP_EMAIL_GATEWAY=none sends no email");
  }
  // The same work either way (a token, the email rendered, one write transaction), so the answer's time
  // does not tell an existing account from an unknown email.
  const token = createToken();
  const message = renderResetLinkEmail({
    displayName: user?.displayName ?? email,
    at: now,
    clientAddress: context.clientAddress,
    resetUrl: `${deps.config.publicUrl}/login/reset?token=${token}`,
    ttlMinutes: Math.round(limits.ttlSeconds / 60),
  });
  // Sealed either way too: the link's token is never stored in the clear (link-emails.ts).
  const outgoing = sealedLinkEmail(deps, { id: deps.newId(), channel: "email", recipient: user?.email ?? email, kind: resetLinkKind, subject: message.subject, textBody: message.text, htmlBody: message.html, createdAt: now });
  if (!user || !sends) {
    await deps.store.transaction(async (store) => {
      // Two writes that cancel out: a counter row made and removed, nothing kept.
      const decoy = `reset-decoy:${hashToken(token)}`;
      await store.counters.countAttempt(decoy, now, decoySchedule);
      await store.counters.clearAttempts(decoy);
    });
    return { ok: true };
  }
  await deps.store.transaction(async (store) => {
    await store.passwordResets.insertPasswordReset({ id: deps.newId(), userId: user.id, tokenHash: hashToken(token), purpose: "reset", createdAt: now, expiresAt: now + limits.ttlSeconds * 1000 });
    await store.messages.enqueue(outgoing);
  });
  return { ok: true };
}
