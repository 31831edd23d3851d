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
  const binders = observer ? observedBinders(observer) : portBinders;
  const outer = guarded(everyPort(binders, { db, appended: null }), refuseInsideTransaction);
  return {
    ...outer,
    transaction(work) {
      refuseInsideTransaction();
      const appended: SecurityEvent[] | null = observer ? [] : null;
      const run = db.transaction().execute((trx) => insideTransaction.run(true, () => work(new TransactionPorts(trx, appended, binders))));
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

/** Each module's functions, listed once: binding runs for every transaction, so it only loops and makes closures. */
const moduleCalls = new WeakMap<object, [string, (db: Kysely<Database>, ...args: unknown[]) => unknown][]>();

/**
 * Binds every function a `kysely/` module exports to `db` (a port's file exports its port's
 * calls and nothing else), and a second module's into the same object (a port of two files).
 */
function bound<M extends object, N extends object = object>(db: Kysely<Database>, module: M, more?: N): Bound<M> & Bound<N> {
  const port: Record<string, (...args: unknown[]) => unknown> = {};
  bindInto(port, db, module);
  if (more) bindInto(port, db, more);
  return port as Bound<M> & Bound<N>;
}

function bindInto(port: Record<string, (...args: unknown[]) => unknown>, db: Kysely<Database>, module: object): void {
  let calls = moduleCalls.get(module);
  if (!calls) moduleCalls.set(module, (calls = Object.entries(module).filter((entry): entry is [string, (db: Kysely<Database>, ...args: unknown[]) => unknown] => typeof entry[1] === "function")));
  for (const [name, call] of calls) port[name] = (...args) => call(db, ...args);
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

/** How each port is bound: each call one statement on the binding's `db`; a port's type (`ports/`) says which calls it has. */
type PortBinders = { readonly [P in keyof Stores]: (binding: Binding) => Stores[P] };

const portBinders: PortBinders = {
  accounts: ({ db }) => bound(db, accountsSql, directorySql),
  methods: ({ db }) => bound(db, methodsSql),
  challenges: ({ db }) => bound(db, challengesSql),
  codes: ({ db }) => bound(db, codesSql),
  sessions: ({ db }) => bound(db, sessionsSql, loginContextSql),
  counters: ({ db }) => bound(db, countersSql),
  events: ({ db }) => bound(db, eventsSql),
  outbox: ({ db }) => bound(db, outboxSql),
  messages: ({ db }) => bound(db, messagesSql),
  sealedValues: ({ db }) => bound(db, sealedValuesSql),
  reminders: ({ db }) => bound(db, remindersSql),
  knownBrowsers: ({ db }) => bound(db, knownBrowsersSql),
  trustedBrowsers: ({ db }) => bound(db, trustedBrowsersSql),
  passwordResets: ({ db }) => bound(db, passwordResetsSql),
  customers: ({ db }) => bound(db, customersSql),
  apiKeys: ({ db }) => bound(db, apiKeysSql),
  resetRequests: ({ db }) => bound(db, resetRequestsSql),
  oidcPayloads: ({ db }) => bound(db, oidcPayloadsSql),
  oidcClients: ({ db }) => bound(db, oidcClientsSql),
  signingKeys: ({ db }) => bound(db, signingKeysSql),
  sessionLogins: ({ db }) => bound(db, sessionLoginsSql),
};

/**
 * The same, with the calls `observer` hears of (observer.ts) telling it their answers: the
 * observed calls are module functions too, made once per store, so a transaction binds no more
 * closures than without an observer. What `findLoginAttempt`'s SQL counts through
 * `countAttempt`'s statement directly is told once, from its answer's `counts`.
 */
function observedBinders(observer: StoreObserver): PortBinders {
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
  // The event reads as they are; appendEvent below, told of each append.
  const { appendEvent, ...eventReads } = eventsSql;
  return {
    ...portBinders,
    counters: ({ db }) => bound(db, counters),
    sessions: ({ db }) => bound(db, sessionsSql, loginContext),
    events: (binding) => ({
      ...bound(binding.db, eventReads),
      async appendEvent(event) {
        await appendEvent(binding.db, event);
        if (binding.appended) binding.appended.push(event);
        else observer.eventCommitted(event);
      },
    }),
  };
}

/** Every port at once (the outer store's, bound once). */
function everyPort(binders: PortBinders, binding: Binding): Stores {
  return Object.fromEntries(Object.entries(binders).map(([name, bind]) => [name, bind(binding)])) as unknown as Stores;
}

/**
 * One transaction's ports, each bound to its connection on first use and kept for the
 * transaction: a transaction binds only the ports its work uses. No `transaction` (no nesting).
 * A getter per port on the prototype, defined once below from `portBinders`' names.
 */
class TransactionPorts implements Binding {
  readonly bound: Partial<Stores> = {};
  constructor(
    readonly db: Kysely<Database>,
    readonly appended: SecurityEvent[] | null,
    readonly binders: PortBinders,
  ) {}
}
// The getters make a TransactionPorts a Stores.
interface TransactionPorts extends Stores {}
for (const name of Object.keys(portBinders) as (keyof Stores)[]) {
  Object.defineProperty(TransactionPorts.prototype, name, {
    get(this: TransactionPorts) {
      return (this.bound[name] ??= this.binders[name](this) as never);
    },
  });
}

/** The same ports, each call first asking `check` (outside a transaction's work only). */
function guarded(ports: Stores, check: () => void): Stores {
  const wrap = (port: object) =>
    Object.fromEntries(Object.entries(port).map(([name, call]) => [name, (...args: unknown[]) => (check(), (call as (...a: unknown[]) => unknown)(...args))]));
  return Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, wrap(port as object)])) as unknown as Stores;
}
