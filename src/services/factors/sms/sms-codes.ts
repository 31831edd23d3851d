import type { FactorsDeps } from "../deps.js";
import { randomInt } from "node:crypto";
import { fail, type Result } from "../../../domain/errors.js";
import type { Method, ProofPurpose, User } from "../../../domain/model.js";
import type { PhoneNumber } from "../../../domain/phone.js";
import { parseMobileNumber } from "./phone-numbers.js";
import { composeSmsMessage, formatSmsCode } from "../../../domain/sms-message.js";
import type { RequestContext, ServiceDeps } from "../../deps.js";

/** The stored form of an SMS code: keyed hash over the code's id and digits. */
export function smsCodeHash(deps: Pick<ServiceDeps, "codeMac">, id: string, code: string): string {
  return deps.codeMac(`sms:${id}:${code}`);
}

/** The method's phone number, decrypted only to send to it. */
export function phoneOf(deps: FactorsDeps, method: Method): string {
  return deps.secretBox.open(method.secretCiphertext, method.id).toString("utf8");
}

const hourSeconds = 3600;

/**
 * Toll-fraud limits (SECURITY 25): sends per user, per client address, per
 * destination number and per country prefix, each in a one-hour window kept in
 * the store (so every instance shares it). The number's key is a keyed hash,
 * so the limits table holds no phone numbers. Each window counts as it is
 * checked and the first refusal stops, so the requester's own windows (user,
 * address) come first and the shared ones (number, country) last: sends
 * refused by an attacker's own limits never use up a victim's number or the
 * whole country's budget.
 */
async function checkSendLimits(deps: FactorsDeps, user: User, phone: PhoneNumber, context: RequestContext): Promise<Result<{}>> {
  const limits = deps.config.sms.limitsPerHour;
  const now = deps.clock.now();
  const keys: [string, number][] = [
    [`sms-user:${user.id}`, limits.user],
    ...(context.clientAddress ? [[`sms-address:${context.clientAddress}`, limits.address] as [string, number]] : []),
    [`sms-number:${deps.codeMac(`number:${phone.e164}`)}`, limits.number],
    [`sms-country:${phone.callingCode}`, limits.country],
  ];
  for (const [key, limit] of keys) {
    const window = await deps.store.counters.countInWindow(key, now, hourSeconds);
    if (window.count > limit) {
      return fail("sms_limit_reached", { retryAfterSeconds: Math.max(1, Math.ceil((window.windowStart + hourSeconds * 1000 - now) / 1000)) });
    }
  }
  return { ok: true };
}

/**
 * Sends a new code for `method`, bound to `purpose` + `bindingId`, replacing any
 * earlier unused one for the same binding. "Send a new code" more often than
 * TWOSTEP_SMS_RESEND_SECONDS is refused. Asking for a code never touches the
 * failure counter (SECURITY 8). The code is never logged; a failed send is.
 */
export async function sendSmsCode(
  deps: FactorsDeps,
  input: { user: User; method: Method; purpose: ProofPurpose; bindingId: string; context: RequestContext },
): Promise<Result<{ expiresAt: number }>> {
  const now = deps.clock.now();
  const previous = await deps.store.codes.findLatestSmsCode(input.method.id, input.purpose, input.bindingId);
  const resendAt = previous ? previous.createdAt + deps.config.sms.resendSeconds * 1000 : 0;
  if (previous && resendAt > now) return fail("sms_resend_too_soon", { retryAfterSeconds: Math.ceil((resendAt - now) / 1000) });

  // The stored number is parsed again, so a country removed from the allowed list stops receiving codes.
  const phone = await parseMobileNumber(phoneOf(deps, input.method), deps.config.sms.allowedCountries);
  if (!phone.ok) return phone;
  const limited = await checkSendLimits(deps, input.user, phone, input.context);
  if (!limited.ok) {
    deps.logger.warn({ event: "sms.limit_reached", userId: input.user.id, country: phone.country }, "SMS send refused by a limit");
    return limited;
  }

  const id = deps.newId();
  const code = formatSmsCode(randomInt(0, 1_000_000));
  const expiresAt = now + deps.config.sms.codeTtlSeconds * 1000;
  await deps.store.codes.replaceSmsCode(
    { id, userId: input.user.id, methodId: input.method.id, purpose: input.purpose, bindingId: input.bindingId, codeHash: smsCodeHash(deps, id, code), createdAt: now, expiresAt, usedAt: null },
    now,
  );
  const body = composeSmsMessage({ code, host: new URL(deps.config.publicUrl).hostname, issuer: deps.config.issuer, ttlMinutes: Math.round(deps.config.sms.codeTtlSeconds / 60) });
  const sent = await deps.sms.send({ id, to: phone.e164, body });
  if (!sent.ok) {
    deps.logger.error({ event: "sms.send_failed", gateway: deps.sms.name, messageId: id, userId: input.user.id, reason: sent.reason }, "SMS send failed");
    // The code never reached anyone: retire it, so the user may ask again at once.
    await deps.store.codes.consumeSmsCode(id, now);
    return fail("sms_send_failed");
  }
  deps.logger.info({ event: "sms.sent", gateway: deps.sms.name, messageId: id, providerMessageId: sent.providerMessageId, userId: input.user.id, purpose: input.purpose }, "SMS code sent");
  return { ok: true, expiresAt };
}
