import type { MessagesDeps } from "./deps.js";
import type { OutgoingMessage } from "../../store/store.js";
import type { ServiceDeps } from "../deps.js";
import { openedBodies } from "./link-emails.js";
import { backchannelLogoutChannel, type BackchannelLogout } from "../apps/app-sessions.js";
import { createBackchannelSender } from "../apps/backchannel-delivery.js";
import type { BackchannelSender } from "../deps.js";

/**
 * Sends what the transactional outbox holds (SPEC O3), after the change that
 * wrote it committed. Each pass claims a batch with a lease (one conditional
 * write: of several instances, each message goes to one), sends the batch in
 * parallel, and settles each row while its claim still holds. A process killed
 * mid-pass leaves its rows claimed until the lease runs out; then any instance
 * sends them. So nothing is lost; a message goes out twice only if a process
 * dies after the SMTP server took it and before the row was marked sent.
 * The outbox carries two channels: emails, and back-channel logouts to the
 * apps (issue 15, `apps/app-sessions.ts`), sent by the OpenID Connect
 * provider's own code (`apps/backchannel-delivery.ts`) with the same claims,
 * retries and settling.
 */
export interface DispatchOptions {
  /** Messages per claim; sent in parallel. */
  batchSize: number;
  /** How long a claim holds: longer than one send can take (the SMTP timeouts), so a live sender never loses it. */
  leaseMs: number;
  /** Tries in all before a message is marked failed. */
  maxAttempts: number;
  /** The wait after the first failed try (TWOSTEP_EMAIL_RETRY_SECONDS). */
  retryBaseMs: number;
}

export const defaultDispatch: DispatchOptions = { batchSize: 10, leaseMs: 120_000, maxAttempts: 8, retryBaseMs: 30_000 };

/** The dispatcher's settings from the configuration. */
export function dispatchOptionsFor(config: ServiceDeps["config"]): DispatchOptions {
  return { ...defaultDispatch, retryBaseMs: config.email.retrySeconds * 1000 };
}

/** By default 30 s, 2 min, 8 min, 32 min, then hourly: about four hours over eight tries. */
export function retryDelayMs(attempts: number, baseMs = defaultDispatch.retryBaseMs): number {
  return Math.min(baseMs * 4 ** Math.max(0, attempts - 1), 3_600_000);
}

export interface DispatchReport {
  sent: number;
  retried: number;
  failed: number;
}

/** `backchannel` (ServiceDeps): how back-channel logouts leave; by default the provider's own sender, one per store. */
type DispatchDeps = MessagesDeps & { backchannel?: BackchannelSender };

const senders = new WeakMap<object, BackchannelSender>();

/** The provider's own sender for these deps' store, made at its first use and kept. */
export function providerBackchannelSender(deps: MessagesDeps): BackchannelSender {
  let sender = senders.get(deps.store);
  if (!sender) {
    sender = createBackchannelSender(deps);
    senders.set(deps.store, sender);
  }
  return sender;
}

function backchannelSenderOf(deps: DispatchDeps): BackchannelSender {
  return deps.backchannel ?? providerBackchannelSender(deps);
}

/**
 * One pass: claims and settles batches until nothing is due, or until `stopping()` says so
 * between batches (shutdown: the batch claimed is sent and settled, no new one is claimed; what
 * is left stays pending for the next process, nothing is claimed and dropped).
 */
export async function dispatchDueMessages(deps: DispatchDeps, options: DispatchOptions = dispatchOptionsFor(deps.config), stopping: () => boolean = () => false): Promise<DispatchReport> {
  const report: DispatchReport = { sent: 0, retried: 0, failed: 0 };
  for (;;) {
    if (stopping()) return report;
    // A claimant id per claim: settling writes match it, so a late settle after a lost lease changes nothing.
    const claimant = deps.newId();
    const batch = await deps.store.messages.claimDue(deps.clock.now(), options.batchSize, claimant, options.leaseMs);
    const outcomes = await Promise.all(batch.map((message) => sendOne(deps, options, claimant, message)));
    for (const outcome of outcomes) report[outcome]++;
    if (batch.length < options.batchSize) return report;
  }
}

/**
 * Hands the message to the email gateway; a link email's sealed bodies are opened just before
 * (link-emails.ts). One sealed under a key no longer configured can never be sent: a permanent
 * failure, reported by reason only.
 */
async function deliver(deps: DispatchDeps, message: OutgoingMessage) {
  let bodies: { textBody: string; htmlBody: string };
  try {
    bodies = openedBodies(deps, message);
  } catch {
    return { ok: false as const, transient: false, reason: "sealed body does not open (its encryption key is gone)" };
  }
  return deps.email
    .send({ to: message.recipient, subject: message.subject, text: bodies.textBody, html: bodies.htmlBody })
    .catch((error: unknown) => ({ ok: false as const, transient: true, reason: `gateway: ${error instanceof Error ? error.name : "error"}` }));
}

/** A back-channel logout: the provider makes, signs and POSTs the logout token now (apps/backchannel-delivery.ts). */
async function deliverLogout(deps: DispatchDeps, message: OutgoingMessage) {
  let logout: BackchannelLogout;
  try {
    logout = JSON.parse(message.payload ?? "") as BackchannelLogout;
  } catch {
    return { ok: false as const, transient: false, reason: "the logout's payload is not JSON" };
  }
  const result = await backchannelSenderOf(deps)
    .send(logout)
    .catch((error: unknown) => ({ ok: false as const, transient: true, reason: `back-channel: ${error instanceof Error ? error.message.slice(0, 120) : "error"}` }));
  return result.ok ? { ok: true as const, providerMessageId: "" } : result;
}

async function sendOne(deps: DispatchDeps, options: DispatchOptions, claimant: string, message: OutgoingMessage): Promise<keyof DispatchReport> {
  const result = message.channel === backchannelLogoutChannel ? await deliverLogout(deps, message) : await deliver(deps, message);
  // Logged by id, kind and reason only: never the body, the address or a credential.
  const about = { messageId: message.id, channel: message.channel, kind: message.kind, attempts: message.attempts };
  const what = message.channel === backchannelLogoutChannel ? "back-channel logout" : "email";
  const now = deps.clock.now();
  if (result.ok) {
    if (!(await deps.store.messages.markSent(message.id, claimant, now, result.providerMessageId))) {
      deps.logger.warn(about, `${what} sent after its claim ran out; another sender may send it too`);
    }
    deps.logger.info(about, `${what} sent`);
    return "sent";
  }
  if (result.transient && message.attempts < options.maxAttempts) {
    await deps.store.messages.scheduleRetry(message.id, claimant, now + retryDelayMs(message.attempts, options.retryBaseMs), result.reason);
    deps.logger.warn({ ...about, reason: result.reason }, `${what} not sent; will retry`);
    return "retried";
  }
  await deps.store.messages.markFailed(message.id, claimant, now, result.reason);
  deps.logger.error({ ...about, reason: result.reason }, `${what} not sent; given up`);
  return "failed";
}

export interface DispatcherLoop {
  /** Runs a pass soon (after a change that enqueued), without waiting for the interval. */
  kick(): void;
  /** Stops the timer and waits for a running pass to settle the batch it claimed (it claims no other). */
  stop(): Promise<void>;
}

/** Runs a pass every `intervalMs` (never two at once in one process) until stopped. */
export function startMessageDispatcher(deps: DispatchDeps, intervalMs: number, options: DispatchOptions = dispatchOptionsFor(deps.config)): DispatcherLoop {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  let kickPending = false;
  const pass = () => {
    timer = null;
    kickPending = false;
    if (stopped || running) return;
    running = dispatchDueMessages(deps, options, () => stopped)
      .then(() => undefined)
      .catch((error: unknown) => deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "outbox dispatch pass failed; next pass retries"))
      .finally(() => {
        running = null;
        schedule(intervalMs);
      });
  };
  const schedule = (delayMs: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(pass, delayMs);
    timer.unref();
  };
  schedule(0);
  return {
    // Kicks within 50 ms share one pass, so a busy server adds at most one claim query per pass.
    kick: () => {
      if (running || kickPending) return;
      kickPending = true;
      schedule(50);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
