import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { LabelledHistogram, type HistogramChild } from "./histogram.js";
import { methodTypes, type EventType } from "../domain/model.js";

/**
 * The Prometheus metrics of one server process (README "Operate"), on a registry of its own.
 * Every label value comes from a fixed list written here (outcomes, limits, methods,
 * gateways, route templates as Fastify declares them): never an email, an address, a user
 * id or anything else a request chose. A value outside its list is counted as `other`.
 */
export type LoginOutcome = "ok" | "wrong_password" | "wrong_code" | "locked" | "step_up";
export const loginOutcomes: readonly LoginOutcome[] = ["ok", "wrong_password", "wrong_code", "locked", "step_up"];

/** The counters that refuse: their store key's prefix (services/throttle, password reset, SMS send windows). */
export const rateLimits = ["address", "user", "password_address", "password_account", "password_browser", "sms_user", "sms_address", "sms_number", "sms_country", "reset_address", "reset_account"] as const;
export type RateLimit = (typeof rateLimits)[number] | "other";

export type SendOutcome = "sent" | "transient_failure" | "permanent_failure";
const gatewayNames = ["outbox", "smtp", "none", "twilio", "webhook", "provider"] as const;
/** What leaves through a gateway: texts, emails, and the apps' back-channel logouts (sent by the OpenID Connect provider). */
export type SendChannel = "sms" | "email" | "backchannel_logout";
const secondFactorMethods: readonly string[] = [...methodTypes, "recovery_code"];

/** Which login outcome an event is (services/events/audit.ts#recordEvent writes them). */
const loginOutcomeOf: Partial<Record<EventType, LoginOutcome>> = {
  "login.succeeded": "ok",
  "login.password_failed": "wrong_password",
  "login.second_factor_failed": "wrong_code",
  "login.locked_out": "locked",
  "session.confirmed": "step_up",
};

function oneOf<T extends string>(list: readonly T[], value: unknown): T | "other" {
  return typeof value === "string" && (list as readonly string[]).includes(value) ? (value as T) : "other";
}

/**
 * Counts for a counter whose label sets are a fixed list, kept as plain numbers (one per label
 * set, found by its values in label order) and added to the counter by `flush`, its `collect`,
 * which prom-client calls whenever the counter is read: counting allocates and hashes nothing
 * (prom-client's `inc` hashes the labels every time), and no count is lost or late at a scrape.
 */
export function tallyOf<L extends string>(labelSets: Record<L, string>[]) {
  const counts = new Map<string, { labels: Record<L, string>; count: number }>();
  for (const labels of labelSets) counts.set(Object.values<string>(labels).join("\u0000"), { labels, count: 0 });
  return {
    /** One more for the label set with these values (in label order); a set outside the list is a programming error. */
    add(...values: string[]) {
      const entry = counts.get(values.length === 1 ? values[0]! : values.join("\u0000"));
      if (!entry) throw new Error(`no such label set: ${values.join(", ")}`);
      entry.count++;
    },
    flush(this: Counter<L>) {
      for (const entry of counts.values()) {
        if (entry.count === 0) continue;
        this.inc(entry.labels, entry.count);
        entry.count = 0;
      }
    },
  };
}

export interface Metrics {
  registry: Registry;
  /** One answered request of the public app: its route template (not the URL), method and status. */
  requestFinished(route: string, method: string, status: number, seconds: number): void;
  /** A security event that committed. */
  eventRecorded(type: EventType, detail: Record<string, unknown>): void;
  limitRefused(limit: RateLimit): void;
  messageSent(channel: SendChannel, gateway: string, outcome: SendOutcome): void;
  queryFinished(seconds: number, failed: boolean): void;
  /** Reads the outbox when Prometheus scrapes (set once the database is open). */
  watchOutbox(read: () => Promise<{ pending: number; oldestCreatedAt: number | null }>, now: () => number): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "twostep_" });
  const registers = [registry];
  const requestDuration = new LabelledHistogram(
    "twostep_http_request_duration_seconds",
    "Public HTTP requests by route template, method and status code",
    ["route", "method", "status"],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registry,
  );
  // Every login event is counted: as a plain number per label set, added to the prom-client counter when it is read.
  const loginTally = tallyOf(loginOutcomes.map((outcome) => ({ outcome })));
  const secondFactorTally = tallyOf([...secondFactorMethods, "other"].flatMap((method) => [{ method, outcome: "ok" }, { method, outcome: "wrong" }]));
  const logins = new Counter({ name: "twostep_logins_total", help: "Login events by outcome (ok, wrong_password, wrong_code, locked, step_up)", labelNames: ["outcome"] as const, registers, collect: loginTally.flush });
  new Counter({ name: "twostep_second_factor_checks_total", help: "Second-step checks at login by method and outcome (ok, wrong)", labelNames: ["method", "outcome"] as const, registers, collect: secondFactorTally.flush });
  const refusals = new Counter({ name: "twostep_rate_limit_refusals_total", help: "Requests refused by a throttle or send limit, by limit", labelNames: ["limit"] as const, registers });
  const sends = new Counter({ name: "twostep_message_sends_total", help: "SMS, email and back-channel logout hand-overs by channel, gateway and outcome", labelNames: ["channel", "gateway", "outcome"] as const, registers });
  const queryDuration = new LabelledHistogram(
    "twostep_database_query_duration_seconds",
    "Database statements by outcome (ok, error)",
    ["outcome"],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registry,
  );
  for (const outcome of loginOutcomes) logins.inc({ outcome }, 0);
  for (const limit of rateLimits) refusals.inc({ limit }, 0);

  let outbox: { read: () => Promise<{ pending: number; oldestCreatedAt: number | null }>; now: () => number } | null = null;
  let lastRead: Promise<{ pending: number; oldestCreatedAt: number | null } | null> | null = null;
  // Both gauges come from one read per scrape.
  const readOutbox = () => {
    lastRead ??= (outbox ? outbox.read().catch(() => null) : Promise.resolve(null)).finally(() => setTimeout(() => (lastRead = null), 0));
    return lastRead;
  };
  new Gauge({
    name: "twostep_outbox_pending_messages",
    help: "Emails waiting in the outbox (due or retrying); -1 when the database did not answer",
    registers,
    async collect() {
      const backlog = await readOutbox();
      this.set(backlog ? backlog.pending : -1);
    },
  });
  new Gauge({
    name: "twostep_outbox_oldest_message_age_seconds",
    help: "Age of the oldest email waiting in the outbox (0 when none)",
    registers,
    async collect() {
      const backlog = await readOutbox();
      this.set(backlog?.oldestCreatedAt != null && outbox ? Math.max(0, (outbox.now() - backlog.oldestCreatedAt) / 1000) : 0);
    },
  });

  // Label children looked up once per label set; these run for every request and every statement
  // (bench "metrics on vs off"), so their histograms are histogram.ts's, which allocate nothing per observation.
  // By route template, then by status and method as one number: finding a request's child builds no string.
  const requestChildren = new Map<string, Map<number, HistogramChild>>();
  const requestMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"];
  const queryChildren = { ok: queryDuration.child({ outcome: "ok" }), error: queryDuration.child({ outcome: "error" }) };
  return {
    registry,
    requestFinished(route, method, status, seconds) {
      let byRoute = requestChildren.get(route);
      if (!byRoute) requestChildren.set(route, (byRoute = new Map()));
      // A method outside the list is counted as OTHER (request-hooks.ts passes only these).
      let index = requestMethods.indexOf(method);
      if (index === -1) index = requestMethods.length - 1;
      const key = status * requestMethods.length + index;
      let child = byRoute.get(key);
      if (!child) byRoute.set(key, (child = requestDuration.child({ route, method: requestMethods[index]!, status: String(status) })));
      child.observe(seconds);
    },
    eventRecorded(type, detail) {
      const outcome = loginOutcomeOf[type];
      if (outcome) loginTally.add(outcome);
      if (type === "login.succeeded" && secondFactorMethods.includes(String(detail.factor))) {
        secondFactorTally.add(String(detail.factor), "ok");
      } else if (type === "login.second_factor_failed") {
        secondFactorTally.add(oneOf(secondFactorMethods, detail.factor), "wrong");
      }
    },
    limitRefused(limit) {
      refusals.inc({ limit: oneOf(rateLimits, limit) });
    },
    messageSent(channel, gateway, outcome) {
      sends.inc({ channel, gateway: oneOf(gatewayNames, gateway), outcome });
    },
    queryFinished(seconds, failed) {
      (failed ? queryChildren.error : queryChildren.ok).observe(seconds);
    },
    watchOutbox(read, now) {
      outbox = { read, now };
    },
  };
}
