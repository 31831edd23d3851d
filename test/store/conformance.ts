/**
 * The store contract, run against every implementation (Lucia's
 * `testAdapter` idea): SQLite and PostgreSQL, one file per port under
 * `conformance/`. The single-use operations are raced with Promise.all:
 * exactly one wins (on PostgreSQL over real parallel pool connections).
 */
import { after, before, describe } from "node:test";
import type { Store } from "../../src/store/store.js";
import { accountsConformance } from "./conformance/accounts.js";
import { apiKeysConformance } from "./conformance/api-keys.js";
import { challengesConformance } from "./conformance/challenges.js";
import { codesConformance } from "./conformance/codes.js";
import { countersConformance } from "./conformance/counters.js";
import { customersConformance } from "./conformance/customers.js";
import { eventSearchConformance } from "./conformance/event-search.js";
import { eventsConformance } from "./conformance/events.js";
import { createConformanceContext } from "./conformance/fixtures.js";
import { messagesConformance } from "./conformance/messages.js";
import { methodsConformance } from "./conformance/methods.js";
import { outboxConformance } from "./conformance/outbox.js";
import { passwordResetsConformance } from "./conformance/password-resets.js";
import { resetRequestsConformance } from "./conformance/reset-requests.js";
import { knownBrowsersConformance } from "./conformance/known-browsers.js";
import { trustedBrowsersConformance } from "./conformance/trusted-browsers.js";
import { sealedValuesConformance } from "./conformance/sealed-values.js";
import { sessionsConformance } from "./conformance/sessions.js";
import { transactionsConformance } from "./conformance/transactions.js";
import { userDirectoryConformance } from "./conformance/user-directory.js";

export interface StoreUnderTest {
  store: Store;
  close(): Promise<void>;
}

const ports = {
  accounts: accountsConformance,
  methods: methodsConformance,
  challenges: challengesConformance,
  codes: codesConformance,
  sessions: sessionsConformance,
  counters: countersConformance,
  events: eventsConformance,
  eventSearch: eventSearchConformance,
  outbox: outboxConformance,
  messages: messagesConformance,
  sealedValues: sealedValuesConformance,
  knownBrowsers: knownBrowsersConformance,
  trustedBrowsers: trustedBrowsersConformance,
  passwordResets: passwordResetsConformance,
  customers: customersConformance,
  apiKeys: apiKeysConformance,
  userDirectory: userDirectoryConformance,
  resetRequests: resetRequestsConformance,
  transactions: transactionsConformance,
};

export function runStoreConformance(name: string, open: () => Promise<StoreUnderTest>) {
  describe(`Store conformance: ${name}`, () => {
    let subject: StoreUnderTest | undefined;
    const context = createConformanceContext(() => {
      if (!subject) throw new Error("the store under test is not open");
      return subject.store;
    });
    before(async () => {
      subject = await open();
    });
    after(() => subject?.close());
    for (const [port, suite] of Object.entries(ports)) describe(port, () => suite(context));
  });
}
