import type { RuntimeInstruments } from "../bootstrap.js";
import type { BackchannelSender, EmailGateway, SmsGateway } from "../services/deps.js";
import type { StoreObserver } from "../store/observer.js";
import type { Metrics, RateLimit, SendChannel, SendOutcome } from "./metrics.js";

/**
 * The metrics read what the services already do, told by the store itself (its observer,
 * store/observer.ts, wraps no port) and by wrappers around the gateways, so no service knows about Prometheus:
 * - security events: every `events.appendEvent` (services/events/audit.ts#recordEvent), counted
 *   once its transaction committed (an event rolled back with its change is not counted);
 * - throttle refusals: a `counters.countAttempt` that answers "not allowed" is a refused
 *   attempt, and so is a refused count in `sessions.findLoginAttempt`'s answer (the second step
 *   counts in its read), named by its key's prefix (`address:`, `user:`, `password-account:` …, never the rest
 *   of the key, which holds an address or a user id); send-window refusals (SMS, reset emails) are
 *   decided by the services against their limits, and `countInWindow` counts past the limit, so
 *   a window whose count went over its configured limit is a refusal too (`windowLimits`, from server-parts.ts#windowLimitsOf);
 * - sends: what each gateway's `send` answered, and each back-channel logout's POST.
 */
export function instrumentsFor(metrics: Metrics, windowLimits: (prefix: string) => number | null): RuntimeInstruments {
  return {
    store: storeObserver(metrics, windowLimits),
    sms: (gateway) => observedGateway(gateway, "sms", metrics),
    email: (gateway) => observedGateway(gateway, "email", metrics),
    backchannel: (sender) => observedBackchannel(sender, metrics),
    queryTimer: (milliseconds, failed) => metrics.queryFinished(milliseconds / 1000, failed),
  };
}

/** `password-address:1.2.3.4` → `password_address`; a key of no known limit → `other`. */
export function limitOfKey(key: string): RateLimit {
  const colon = key.indexOf(":");
  return (colon === -1 ? "other" : key.slice(0, colon).replaceAll("-", "_")) as RateLimit;
}

/** The store's observer (store/observer.ts): its appended events and counters' answers as the metrics count them. */
function storeObserver(metrics: Metrics, windowLimits: (prefix: string) => number | null): StoreObserver {
  return {
    eventCommitted: (event) => metrics.eventRecorded(event.type, event.detail),
    attemptRefused: (key) => metrics.limitRefused(limitOfKey(key)),
    windowCounted(key, count) {
      const limit = limitOfKey(key);
      const allowed = windowLimits(limit);
      if (allowed !== null && count > allowed) metrics.limitRefused(limit);
    },
  };
}

type SendResult = { ok: true } | { ok: false; transient: boolean };

/** Runs one send and counts what it answered (a throw counts as a transient failure). */
async function countedSend<R extends SendResult>(send: () => Promise<R>, metrics: Metrics, channel: SendChannel, gateway: string): Promise<R> {
  let outcome: SendOutcome = "transient_failure";
  try {
    const result = await send();
    outcome = result.ok ? "sent" : result.transient ? "transient_failure" : "permanent_failure";
    return result;
  } finally {
    metrics.messageSent(channel, gateway, outcome);
  }
}

function observedGateway<G extends SmsGateway | EmailGateway>(gateway: G, channel: "sms" | "email", metrics: Metrics): G {
  const send = gateway.send.bind(gateway) as (message: Parameters<G["send"]>[0]) => ReturnType<G["send"]>;
  return {
    ...gateway,
    close: "close" in gateway && gateway.close ? gateway.close.bind(gateway) : undefined,
    send: (message: Parameters<G["send"]>[0]) => countedSend(() => send(message), metrics, channel, gateway.name),
  } as G;
}

/** A back-channel logout's POST by the provider, counted like a gateway's send (channel `backchannel_logout`, gateway `provider`). */
function observedBackchannel(sender: BackchannelSender, metrics: Metrics): BackchannelSender {
  return { send: (logout) => countedSend(() => sender.send(logout), metrics, "backchannel_logout", "provider") };
}
