import { AsyncLocalStorage } from "node:async_hooks";
import type { Kysely } from "kysely";
import type { SecurityEvent } from "../domain/model.js";
import type { StoreObserver } from "./observer.js";
import { StoreMisuseError, type Store, type Stores } from "./store.js";
import type { Database } from "./schema.js";
import * as accountsSql from "./kysely/accounts.js";
import * as directorySql from "./kysely/user-directory.js";
import * as codesSql from "./kysely/codes.js";
import * as challengesSql from "./kysely/challenges.js";
import * as countersSql from "./kysely/counters.js";
import * as eventsSql from "./kysely/events.js";
import * as outboxSql from "./kysely/outbox.js";
import * as loginContextSql from "./kysely/login-context.js";
import * as messagesSql from "./kysely/messages.js";
import * as methodsSql from "./kysely/methods.js";
import * as sealedValuesSql from "./kysely/sealed-values.js";
import * as sessionsSql from "./kysely/sessions.js";
import * as remindersSql from "./kysely/reminders.js";
import * as knownBrowsersSql from "./kysely/known-browsers.js";
import * as trustedBrowsersSql from "./kysely/trusted-browsers.js";
import * as passwordResetsSql from "./kysely/password-resets.js";
import * as customersSql from "./kysely/customers.js";
import * as apiKeysSql from "./kysely/api-keys.js";
import * as resetRequestsSql from "./kysely/reset-requests.js";
import * as oidcPayloadsSql from "./kysely/oidc-payloads.js";
import * as oidcClientsSql from "./kysely/oidc-clients.js";
import * as signingKeysSql from "./kysely/oidc-signing-keys.js";
import * as sessionLoginsSql from "./kysely/oidc-session-logins.js";

/**
 * The ports in SQL that SQLite and PostgreSQL both accept, one file per concept
 * under `kysely/`. Where the dialects differ the query says so with
 * `dialect.ts#isPostgres` (row locks: `FOR UPDATE` on the login context,
 * `FOR UPDATE SKIP LOCKED` on the outbox claim); the connection settings are
 * in the files that build the Kysely instance (sqlite.ts, postgres.ts).
 *
 * `observer` (the metrics, src/operations/) is told of the appended events, once their
 * transaction committed, and of the counters' answers (observer.ts): the store calls it itself,
 * so nothing wraps its ports. A transaction's ports are bound to its connection on first use,
 * each port once per transaction (the second step uses 3 or 4 of them).
 */
export function createKyselyStore(db: Kysely<Database>, observer?: StoreObserver): Store {
  // Marks the async context of a running transaction's work, so the outer ports can refuse it.
  const insideTransaction = new AsyncLocalStorage<true>();
  const refuseInsideTransaction = () => {
    if (insideTransaction.getStore()) {
      throw new StoreMisuseError("the outer store was used inside a transaction: use the ports the transaction handed to its work");
    }
  };
  const classes = observer ? observedClasses(observer) : portClasses;
  const outer = guarded(everyPort(classes, { db, appended: null }), refuseInsideTransaction);
  return {
    ...outer,
    transaction(work) {
      refuseInsideTransaction();
      const appended: SecurityEvent[] | null = observer ? [] : null;
      const run = db.transaction().execute((trx) => insideTransaction.run(true, () => work(new TransactionPorts(trx, appended, classes))));
      if (!appended) return run;
      // Committed (a rolled-back transaction's promise rejects, and its events are never told).
      return run.then((result) => {
        for (const event of appended) observer!.eventCommitted(event);
        return result;
      });
    },
  };
}

/** A module of SQL functions that each take the database first, with that argument bound. */
type Bound<M> = {
  [K in keyof M as M[K] extends (db: Kysely<Database>, ...args: never[]) => unknown ? K : never]: M[K] extends (db: Kysely<Database>, ...args: infer A) => infer R
    ? (...args: A) => R
    : never;
};

/** Where a port's methods find what they are bound to: a symbol, so neither `Object.keys` nor `for…in` lists it among the port's calls. */
const bindingKey = Symbol("binding");

type PortClass<P> = new (binding: Binding) => P;
type BindingCall = (binding: Binding, ...args: never[]) => unknown;

/**
 * A port's class, made once: every function its `kysely/` modules export (a port's file exports
 * its port's calls and nothing else; a port of two files takes both) is a method on the
 * prototype that calls it with the binding's `db`, and each of `withBinding`'s with the binding
 * itself. Binding a port to a transaction is then one small object, not a closure per call
 * (bench/README.md: a second step's transactions made about 3 kB of them). The methods need
 * their port as `this`: call them on it (`tx.events.appendEvent(…)`), never take one off it.
 */
function portClass<M extends object, N extends object = object>(module: M, more?: N, withBinding: Record<string, BindingCall> = {}): PortClass<Bound<M> & Bound<N>> {
  class Port {
    readonly [bindingKey]: Binding;
    constructor(binding: Binding) {
      this[bindingKey] = binding;
    }
  }
  const methods = new Map<string, (this: Port, ...args: unknown[]) => unknown>();
  for (const source of more ? [module, more] : [module]) {
    for (const [name, call] of Object.entries(source)) {
      if (typeof call !== "function") continue;
      const sql = call as (db: Kysely<Database>, ...args: unknown[]) => unknown;
      methods.set(name, function (this: Port, ...args: unknown[]) {
        return sql(this[bindingKey].db, ...args);
      });
    }
  }
  for (const [name, call] of Object.entries(withBinding)) {
    const withItsBinding = call as (binding: Binding, ...args: unknown[]) => unknown;
    methods.set(name, function (this: Port, ...args: unknown[]) {
      return withItsBinding(this[bindingKey], ...args);
    });
  }
  for (const [name, method] of methods) Object.defineProperty(Port.prototype, name, { value: method, enumerable: true });
  return Port as unknown as PortClass<Bound<M> & Bound<N>>;
}

/**
 * What a set of ports is bound to: `db` (a pool, or one transaction's connection), and with an
 * observer, where the events appended go: a transaction's list (told once it committed), or
 * null: told at once (outside a transaction).
 */
interface Binding {
  readonly db: Kysely<Database>;
  readonly appended: SecurityEvent[] | null;
}

/** Each port's class: each call one statement on the binding's `db`; a port's type (`ports/`) says which calls it has. */
type PortClasses = { readonly [P in keyof Stores]: PortClass<Stores[P]> };

const portClasses: PortClasses = {
  accounts: portClass(accountsSql, directorySql),
  methods: portClass(methodsSql),
  challenges: portClass(challengesSql),
  codes: portClass(codesSql),
  sessions: portClass(sessionsSql, loginContextSql),
  counters: portClass(countersSql),
  events: portClass(eventsSql),
  outbox: portClass(outboxSql),
  messages: portClass(messagesSql),
  sealedValues: portClass(sealedValuesSql),
  reminders: portClass(remindersSql),
  knownBrowsers: portClass(knownBrowsersSql),
  trustedBrowsers: portClass(trustedBrowsersSql),
  passwordResets: portClass(passwordResetsSql),
  customers: portClass(customersSql),
  apiKeys: portClass(apiKeysSql),
  resetRequests: portClass(resetRequestsSql),
  oidcPayloads: portClass(oidcPayloadsSql),
  oidcClients: portClass(oidcClientsSql),
  signingKeys: portClass(signingKeysSql),
  sessionLogins: portClass(sessionLoginsSql),
};

/**
 * The same, with the calls `observer` hears of (observer.ts) telling it their answers: the
 * observed calls are module functions too, their ports' classes made once per store, so a
 * transaction's ports cost no more than without an observer. What `findLoginAttempt`'s SQL counts through
 * `countAttempt`'s statement directly is told once, from its answer's `counts`.
 */
function observedClasses(observer: StoreObserver): PortClasses {
  const counters = {
    ...countersSql,
    async countAttempt(db: Kysely<Database>, ...[key, now, schedule]: Parameters<Stores["counters"]["countAttempt"]>) {
      const count = await countersSql.countAttempt(db, key, now, schedule);
      if (!count.allowed) observer.attemptRefused(key);
      return count;
    },
    async countInWindow(db: Kysely<Database>, ...[key, now, windowSeconds]: Parameters<Stores["counters"]["countInWindow"]>) {
      const window = await countersSql.countInWindow(db, key, now, windowSeconds);
      observer.windowCounted(key, window.count);
      return window;
    },
  };
  const loginContext = {
    ...loginContextSql,
    async findLoginAttempt(db: Kysely<Database>, ...[tokenHash, methodId, count]: Parameters<Stores["sessions"]["findLoginAttempt"]>) {
      const attempt = await loginContextSql.findLoginAttempt(db, tokenHash, methodId, count);
      const counts = attempt?.counts;
      if (count && counts) {
        if (count.address && counts.address && !counts.address.allowed) observer.attemptRefused(count.address.key);
        if (counts.user && !counts.user.allowed) observer.attemptRefused(count.user.keyPrefix + attempt.user.id);
      }
      return attempt;
    },
  };
  // The event reads as they are; appendEvent, told of each append where its binding says.
  const { appendEvent, ...eventReads } = eventsSql;
  const events = {
    async appendEvent(binding: Binding, event: SecurityEvent) {
      await appendEvent(binding.db, event);
      if (binding.appended) binding.appended.push(event);
      else observer.eventCommitted(event);
    },
  };
  return {
    ...portClasses,
    counters: portClass(counters),
    sessions: portClass(sessionsSql, loginContext),
    events: portClass(eventReads, undefined, events) as PortClass<Stores["events"]>,
  };
}

/** Every port at once (the outer store's, bound once). */
function everyPort(classes: PortClasses, binding: Binding): Stores {
  return Object.fromEntries(Object.entries(classes).map(([name, Port]) => [name, new Port(binding)])) as unknown as Stores;
}

/**
 * One transaction's ports, each bound to its connection on first use and kept for the
 * transaction: a transaction binds only the ports its work uses. No `transaction` (no nesting).
 * A getter per port on the prototype, defined once below from `portClasses`' names.
 */
class TransactionPorts implements Binding {
  readonly bound: Partial<Stores> = {};
  constructor(
    readonly db: Kysely<Database>,
    readonly appended: SecurityEvent[] | null,
    readonly classes: PortClasses,
  ) {}
}
// The getters make a TransactionPorts a Stores.
interface TransactionPorts extends Stores {}
for (const name of Object.keys(portClasses) as (keyof Stores)[]) {
  Object.defineProperty(TransactionPorts.prototype, name, {
    get(this: TransactionPorts) {
      return (this.bound[name] ??= new this.classes[name](this) as never);
    },
  });
}

/** The same ports, each call first asking `check` (outside a transaction's work only); each its own function, bound once. */
function guarded(ports: Stores, check: () => void): Stores {
  const wrap = (port: object) => {
    const calls: Record<string, (...args: unknown[]) => unknown> = {};
    // `for…in`: the port's calls are its class's methods.
    for (const name in port) {
      const call = (port as Record<string, (...args: unknown[]) => unknown>)[name]!;
      calls[name] = (...args) => (check(), call.apply(port, args));
    }
    return calls;
  };
  return Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, wrap(port as object)])) as unknown as Stores;
}
