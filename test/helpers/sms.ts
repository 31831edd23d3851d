import assert from "node:assert/strict";
import type { AccountKind, OutboxMessage, User } from "../../src/domain/model.js";
import type { PolicyLayer } from "../../src/domain/policy.js";
import type { ServiceDeps } from "../../src/services/deps.js";
import { startLogin } from "../../src/services/login/start-login.js";
import { verifySecondStepCode } from "../../src/services/login/second-step.js";
import { resolveSession } from "../../src/services/sessions/sessions.js";
import { beginSmsEnrolment, confirmSmsEnrolment } from "../../src/services/factors/sms/enrolment.js";
import { enrolTotp, type EnrolledUser } from "./enrol.js";
import { seedUser, type TestClock } from "./runtime.js";
import { codeFor } from "./totp.js";

/** The n-th of 20 valid GB mobile numbers (+447400123456 onwards), one per test user when they must differ. */
export function gbMobile(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 20) throw new RangeError("gbMobile(0..19)");
  return `+4474001234${56 + n}`;
}
/** A valid French mobile: FR is in the default allowed list, not in a GB-only one. */
export const frMobile = "+33612345678";

const setupContext = { clientAddress: null, userAgent: "test-setup" };

/** Every way a phone number could show up in clear: E.164, without "+", national with and without the trunk 0. */
export function phoneSpellings(e164: string, callingCode = "44"): string[] {
  const national = e164.slice(1 + callingCode.length);
  return [e164, e164.slice(1), `0${national}`, national];
}

/** Every text message in the development outbox (newest first by time; ties are not ordered). */
export async function allTexts(deps: ServiceDeps): Promise<OutboxMessage[]> {
  return (await deps.store.outbox.listOutboxMessages(100_000)).filter((message) => message.channel === "sms");
}

/** The code of a texted message: the digits after '#' on its last line (`@host #123456`). */
export function codeOf(message: OutboxMessage | { body: string }): string {
  const lastLine = message.body.trim().split("\n").at(-1)!;
  const match = /#(\d{6})$/.exec(lastLine);
  assert.ok(match, `no code on the last line of: ${message.body}`);
  return match[1]!;
}

/**
 * Runs `act` and returns what it returned with the text messages it added to the
 * outbox. Compares ids, so messages written in the same millisecond are told apart.
 */
export async function textsDuring<T>(deps: ServiceDeps, act: () => Promise<T>): Promise<{ result: T; texts: OutboxMessage[] }> {
  const before = new Set((await allTexts(deps)).map((message) => message.id));
  const result = await act();
  const texts = (await allTexts(deps)).filter((message) => !before.has(message.id));
  return { result, texts };
}

/** Runs `act`, asserts it texted exactly one message, and returns the result and that message's code. */
export async function oneCodeDuring<T>(deps: ServiceDeps, act: () => Promise<T>, to?: string): Promise<{ result: T; code: string; message: OutboxMessage }> {
  const { result, texts } = await textsDuring(deps, act);
  const answer = (result as { body?: unknown } | null)?.body;
  assert.equal(texts.length, 1, `expected one text message, got ${texts.length}${typeof answer === "string" ? `; the answer: ${answer.slice(0, 300)}` : ""}`);
  if (to) assert.equal(texts[0]!.recipient, to);
  return { result, code: codeOf(texts[0]!), message: texts[0]! };
}

/** A well-formed 6-digit code different from every one of `codes`. */
export function wrongSmsCode(...codes: string[]): string {
  let candidate = (Number(codes[0] ?? "0") + 1) % 1_000_000;
  while (codes.includes(String(candidate).padStart(6, "0"))) candidate = (candidate + 1) % 1_000_000;
  return String(candidate).padStart(6, "0");
}

export interface SmsUser {
  user: User;
  password: string;
  phone: string;
  methodId: string;
  recoveryCodes: string[];
}

/**
 * Seeds a user and turns on SMS codes through the services, as the settings
 * flow would (no client address, so no per-address counter is touched). The
 * setup text counts once on the user's, the number's and the country's send
 * windows: tests of the toll-fraud limits start a fresh hour after it.
 */
export async function enrolSms(
  deps: ServiceDeps,
  input: { phone?: string; email?: string; password?: string; kind?: AccountKind; policy?: Partial<PolicyLayer> } = {},
): Promise<SmsUser> {
  const phone = input.phone ?? gbMobile(0);
  const { user, password } = await seedUser(deps, input);
  const login = await startLogin(deps, { email: user.email, password }, setupContext);
  if (!login.ok || login.kind !== "authenticated") throw new Error("enrolSms: the seeded user could not log in");
  const auth = await resolveSession(deps, login.sessionToken);
  if (!auth) throw new Error("enrolSms: no session");
  const { result: begun, code } = await oneCodeDuring(deps, () => beginSmsEnrolment(deps, auth, { password, phoneNumber: phone }, setupContext), phone);
  if (!begun.ok) throw new Error(`enrolSms: ${begun.code}`);
  const confirmed = await confirmSmsEnrolment(deps, auth, { methodId: begun.methodId, code }, setupContext);
  if (!confirmed.ok || !confirmed.recoveryCodes) throw new Error(`enrolSms: ${confirmed.ok ? "no recovery codes" : confirmed.code}`);
  return { user, password, phone, methodId: begun.methodId, recoveryCodes: confirmed.recoveryCodes };
}

export interface TotpAndSmsUser extends EnrolledUser {
  totpMethodId: string;
  smsMethodId: string;
  phone: string;
}

/**
 * A user with an authenticator app first and SMS added second (SMS is then the
 * default, M3, so a login texts a code as it opens). Moves the clock past the
 * TOTP step it used, so the next TOTP code is fresh.
 */
export async function enrolTotpAndSms(deps: ServiceDeps, clock: TestClock, input: { phone?: string } = {}): Promise<TotpAndSmsUser> {
  const phone = input.phone ?? gbMobile(0);
  const enrolled = await enrolTotp(deps);
  clock.advance(30);
  const login = await startLogin(deps, { email: enrolled.user.email, password: enrolled.password }, setupContext);
  if (!login.ok || login.kind !== "second_factor") throw new Error("enrolTotpAndSms: no second step");
  const done = await verifySecondStepCode(deps, login.flowToken, { code: codeFor(enrolled.keyBase32, deps.clock.now()) }, setupContext);
  if (!done.ok) throw new Error(`enrolTotpAndSms: ${done.code}`);
  const auth = await resolveSession(deps, done.sessionToken);
  if (!auth) throw new Error("enrolTotpAndSms: no session");
  const { result: begun, code } = await oneCodeDuring(deps, () => beginSmsEnrolment(deps, auth, { password: enrolled.password, phoneNumber: phone }, setupContext), phone);
  if (!begun.ok) throw new Error(`enrolTotpAndSms: ${begun.code}`);
  const confirmed = await confirmSmsEnrolment(deps, auth, { methodId: begun.methodId, code }, setupContext);
  if (!confirmed.ok) throw new Error(`enrolTotpAndSms: ${confirmed.code}`);
  clock.advance(30);
  return { ...enrolled, totpMethodId: enrolled.methodId, smsMethodId: begun.methodId, phone };
}
