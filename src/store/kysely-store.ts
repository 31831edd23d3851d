import { AsyncLocalStorage } from "node:async_hooks";
import type { Kysely } from "kysely";
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
 */
export function createKyselyStore(db: Kysely<Database>): Store {
  // Marks the async context of a running transaction's work, so the outer ports can refuse it.
  const insideTransaction = new AsyncLocalStorage<true>();
  const refuseInsideTransaction = () => {
    if (insideTransaction.getStore()) {
      throw new StoreMisuseError("the outer store was used inside a transaction: use the ports the transaction handed to its work");
    }
  };
  return {
    ...guarded(bindPorts(db), refuseInsideTransaction),
    transaction(work) {
      refuseInsideTransaction();
      return db.transaction().execute((trx) => insideTransaction.run(true, () => work(bindPorts(trx))));
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

/** Binds every function a `kysely/` module exports to `db`: a port's file exports its port's calls and nothing else. */
function bound<M extends object>(db: Kysely<Database>, module: M): Bound<M> {
  let calls = moduleCalls.get(module);
  if (!calls) moduleCalls.set(module, (calls = Object.entries(module).filter((entry): entry is [string, (db: Kysely<Database>, ...args: unknown[]) => unknown] => typeof entry[1] === "function")));
  const port: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [name, call] of calls) port[name] = (...args) => call(db, ...args);
  return port as Bound<M>;
}

/** Every port, each call one statement on `db` (a pool, or one transaction's connection); a port's type (`ports/`) says which calls it has. */
export function bindPorts(db: Kysely<Database>): Stores {
  return {
    accounts: { ...bound(db, accountsSql), ...bound(db, directorySql) },
    methods: bound(db, methodsSql),
    challenges: bound(db, challengesSql),
    codes: bound(db, codesSql),
    sessions: { ...bound(db, sessionsSql), ...bound(db, loginContextSql) },
    counters: bound(db, countersSql),
    events: bound(db, eventsSql),
    outbox: bound(db, outboxSql),
    messages: bound(db, messagesSql),
    sealedValues: bound(db, sealedValuesSql),
    reminders: bound(db, remindersSql),
    knownBrowsers: bound(db, knownBrowsersSql),
    trustedBrowsers: bound(db, trustedBrowsersSql),
    passwordResets: bound(db, passwordResetsSql),
    customers: bound(db, customersSql),
    apiKeys: bound(db, apiKeysSql),
    resetRequests: bound(db, resetRequestsSql),
    oidcPayloads: bound(db, oidcPayloadsSql),
    oidcClients: bound(db, oidcClientsSql),
    signingKeys: bound(db, signingKeysSql),
    sessionLogins: bound(db, sessionLoginsSql),
  };
}

/** The same ports, each call first asking `check` (outside a transaction's work only). */
function guarded(ports: Stores, check: () => void): Stores {
  const wrap = (port: object) =>
    Object.fromEntries(Object.entries(port).map(([name, call]) => [name, (...args: unknown[]) => (check(), (call as (...a: unknown[]) => unknown)(...args))]));
  return Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, wrap(port as object)])) as unknown as Stores;
}
