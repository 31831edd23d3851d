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
import * as loginContextSql from "./kysely/login-context.js";
import * as messagesSql from "./kysely/messages.js";
import * as methodsSql from "./kysely/methods.js";
import * as sealedValuesSql from "./kysely/sealed-values.js";
import * as sessionsSql from "./kysely/sessions.js";
import * as remindersSql from "./kysely/reminders.js";
import * as browsersSql from "./kysely/remembered-browsers.js";
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
 * under `kysely/`. Dialect differences stay in the files that build the Kysely
 * instance (sqlite.ts, postgres.ts).
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

/** Every port, each call one statement on `db` (a pool, or one transaction's connection). */
export function bindPorts(db: Kysely<Database>): Stores {
  return {
    accounts: {
      insertAccount: (...args) => accountsSql.insertAccount(db, ...args),
      findAccountById: (...args) => accountsSql.findAccountById(db, ...args),
      findAccountByName: (...args) => accountsSql.findAccountByName(db, ...args),
      insertUser: (...args) => accountsSql.insertUser(db, ...args),
      findUserById: (...args) => accountsSql.findUserById(db, ...args),
      findUserByEmail: (...args) => accountsSql.findUserByEmail(db, ...args),
      updatePasswordHash: (...args) => accountsSql.updatePasswordHash(db, ...args),
      setUserActive: (...args) => accountsSql.setUserActive(db, ...args),
      findPolicyLayers: (...args) => accountsSql.findPolicyLayers(db, ...args),
      savePolicyLayer: (...args) => accountsSql.savePolicyLayer(db, ...args),
      listAccountUsers: (...args) => directorySql.listAccountUsers(db, ...args),
      countAccountUsers: (...args) => directorySql.countAccountUsers(db, ...args),
    },
    methods: {
      listMethods: (...args) => methodsSql.listMethods(db, ...args),
      findMethod: (...args) => methodsSql.findMethod(db, ...args),
      insertMethod: (...args) => methodsSql.insertMethod(db, ...args),
      activateMethod: (...args) => methodsSql.activateMethod(db, ...args),
      claimTotpStep: (...args) => methodsSql.claimTotpStep(db, ...args),
      claimSignatureCounter: (...args) => methodsSql.claimSignatureCounter(db, ...args),
      findMethodByCredentialId: (...args) => methodsSql.findMethodByCredentialId(db, ...args),
      deleteMethod: (...args) => methodsSql.deleteMethod(db, ...args),
      renameMethod: (...args) => methodsSql.renameMethod(db, ...args),
      markMethodUsed: (...args) => methodsSql.markMethodUsed(db, ...args),
      setDefaultMethod: (...args) => methodsSql.setDefaultMethod(db, ...args),
      deletePendingMethods: (...args) => methodsSql.deletePendingMethods(db, ...args),
      deleteAllMethods: (...args) => methodsSql.deleteAllMethods(db, ...args),
    },
    challenges: {
      replaceChallenge: (...args) => challengesSql.replaceChallenge(db, ...args),
      consumeChallenge: (...args) => challengesSql.consumeChallenge(db, ...args),
      deleteStaleChallenges: (...args) => challengesSql.deleteStaleChallenges(db, ...args),
    },
    codes: {
      replaceRecoveryCodes: (...args) => codesSql.replaceRecoveryCodes(db, ...args),
      findRecoveryCodes: (...args) => codesSql.findRecoveryCodes(db, ...args),
      consumeRecoveryCode: (...args) => codesSql.consumeRecoveryCode(db, ...args),
      deleteRecoveryCodes: (...args) => codesSql.deleteRecoveryCodes(db, ...args),
      replaceSmsCode: (...args) => codesSql.replaceSmsCode(db, ...args),
      findLatestSmsCode: (...args) => codesSql.findLatestSmsCode(db, ...args),
      consumeSmsCode: (...args) => codesSql.consumeSmsCode(db, ...args),
    },
    sessions: {
      insertSession: (...args) => sessionsSql.insertSession(db, ...args),
      findSessionByTokenHash: (...args) => sessionsSql.findSessionByTokenHash(db, ...args),
      revokeSession: (...args) => sessionsSql.revokeSession(db, ...args),
      revokeUserSessions: (...args) => sessionsSql.revokeUserSessions(db, ...args),
      markSessionAuthenticated: (...args) => sessionsSql.markSessionAuthenticated(db, ...args),
      endUserLoginFlows: (...args) => sessionsSql.endUserLoginFlows(db, ...args),
      insertLoginFlow: (...args) => sessionsSql.insertLoginFlow(db, ...args),
      findLoginFlowByTokenHash: (...args) => sessionsSql.findLoginFlowByTokenHash(db, ...args),
      setLoginFlowMethod: (...args) => sessionsSql.setLoginFlowMethod(db, ...args),
      completeLoginFlow: (...args) => sessionsSql.completeLoginFlow(db, ...args),
      advanceLoginFlow: (...args) => sessionsSql.advanceLoginFlow(db, ...args),
      findLoginContext: (...args) => loginContextSql.findLoginContext(db, ...args),
      findLoginAttempt: (...args) => loginContextSql.findLoginAttempt(db, ...args),
    },
    counters: {
      countAttempt: (...args) => countersSql.countAttempt(db, ...args),
      clearAttempts: (...args) => countersSql.clearAttempts(db, ...args),
      refundAttempt: (...args) => countersSql.refundAttempt(db, ...args),
      countInWindow: (...args) => countersSql.countInWindow(db, ...args),
    },
    events: {
      appendEvent: (...args) => eventsSql.appendEvent(db, ...args),
      listEvents: (...args) => eventsSql.listEvents(db, ...args),
      searchEvents: (...args) => eventsSql.searchEvents(db, ...args),
    },
    outbox: {
      insertOutboxMessage: (...args) => eventsSql.insertOutboxMessage(db, ...args),
      listOutboxMessages: (...args) => eventsSql.listOutboxMessages(db, ...args),
      listOutboxMessagesTo: (...args) => eventsSql.listOutboxMessagesTo(db, ...args),
    },
    messages: {
      enqueue: (...args) => messagesSql.enqueue(db, ...args),
      claimDue: (...args) => messagesSql.claimDue(db, ...args),
      markSent: (...args) => messagesSql.markSent(db, ...args),
      scheduleRetry: (...args) => messagesSql.scheduleRetry(db, ...args),
      markFailed: (...args) => messagesSql.markFailed(db, ...args),
      listMessages: (...args) => messagesSql.listMessages(db, ...args),
    },
    sealedValues: {
      listSealedValues: (...args) => sealedValuesSql.listSealedValues(db, ...args),
      countSealedValues: (...args) => sealedValuesSql.countSealedValues(db, ...args),
      replaceSealedValue: (...args) => sealedValuesSql.replaceSealedValue(db, ...args),
    },
    reminders: {
      listRequirementRows: (...args) => remindersSql.listRequirementRows(db, ...args),
      listUncoveredUserIds: (...args) => remindersSql.listUncoveredUserIds(db, ...args),
      claimReminder: (...args) => remindersSql.claimReminder(db, ...args),
    },
    browsers: {
      rememberBrowser: (...args) => browsersSql.rememberBrowser(db, ...args),
      findRememberedBrowser: (...args) => browsersSql.findRememberedBrowser(db, ...args),
      forgetUserBrowsers: (...args) => browsersSql.forgetUserBrowsers(db, ...args),
    },
    trustedBrowsers: {
      trustBrowser: (...args) => trustedBrowsersSql.trustBrowser(db, ...args),
      findTrustedBrowser: (...args) => trustedBrowsersSql.findTrustedBrowser(db, ...args),
      listTrustedBrowsers: (...args) => trustedBrowsersSql.listTrustedBrowsers(db, ...args),
      forgetTrustedBrowser: (...args) => trustedBrowsersSql.forgetTrustedBrowser(db, ...args),
      forgetUserTrustedBrowsers: (...args) => trustedBrowsersSql.forgetUserTrustedBrowsers(db, ...args),
    },
    passwordResets: {
      insertPasswordReset: (...args) => passwordResetsSql.insertPasswordReset(db, ...args),
      findLivePasswordReset: (...args) => passwordResetsSql.findLivePasswordReset(db, ...args),
      consumePasswordReset: (...args) => passwordResetsSql.consumePasswordReset(db, ...args),
      retireUserPasswordResets: (...args) => passwordResetsSql.retireUserPasswordResets(db, ...args),
    },
    customers: {
      listCustomerAccounts: (...args) => customersSql.listCustomerAccounts(db, ...args),
      listAccountUsersWithMethods: (...args) => customersSql.listAccountUsersWithMethods(db, ...args),
    },
    apiKeys: {
      insertApiKey: (...args) => apiKeysSql.insertApiKey(db, ...args),
      listUserApiKeys: (...args) => apiKeysSql.listUserApiKeys(db, ...args),
      findApiKeyById: (...args) => apiKeysSql.findApiKeyById(db, ...args),
      findUsableApiKey: (...args) => apiKeysSql.findUsableApiKey(db, ...args),
      touchApiKey: (...args) => apiKeysSql.touchApiKey(db, ...args),
      revokeApiKey: (...args) => apiKeysSql.revokeApiKey(db, ...args),
    },
    resetRequests: {
      insertResetRequest: (...args) => resetRequestsSql.insertResetRequest(db, ...args),
      findResetRequest: (...args) => resetRequestsSql.findResetRequest(db, ...args),
      listPendingResetRequests: (...args) => resetRequestsSql.listPendingResetRequests(db, ...args),
      listRecentResetRequests: (...args) => resetRequestsSql.listRecentResetRequests(db, ...args),
      listDecidedResetRequests: (...args) => resetRequestsSql.listDecidedResetRequests(db, ...args),
      settleResetRequest: (...args) => resetRequestsSql.settleResetRequest(db, ...args),
    },
    oidcPayloads: {
      upsertOidcPayload: (...args) => oidcPayloadsSql.upsertOidcPayload(db, ...args),
      findOidcPayload: (...args) => oidcPayloadsSql.findOidcPayload(db, ...args),
      findOidcPayloadByUid: (...args) => oidcPayloadsSql.findOidcPayloadByUid(db, ...args),
      findOidcPayloadByUserCode: (...args) => oidcPayloadsSql.findOidcPayloadByUserCode(db, ...args),
      listOidcPayloadsByAccount: (...args) => oidcPayloadsSql.listOidcPayloadsByAccount(db, ...args),
      consumeOidcPayload: (...args) => oidcPayloadsSql.consumeOidcPayload(db, ...args),
      destroyOidcPayload: (...args) => oidcPayloadsSql.destroyOidcPayload(db, ...args),
      revokeOidcPayloadsByGrantId: (...args) => oidcPayloadsSql.revokeOidcPayloadsByGrantId(db, ...args),
      deleteExpiredOidcPayloads: (...args) => oidcPayloadsSql.deleteExpiredOidcPayloads(db, ...args),
    },
    oidcClients: {
      insertOidcClient: (...args) => oidcClientsSql.insertOidcClient(db, ...args),
      findOidcClient: (...args) => oidcClientsSql.findOidcClient(db, ...args),
      findOidcClientByName: (...args) => oidcClientsSql.findOidcClientByName(db, ...args),
      listOidcClients: (...args) => oidcClientsSql.listOidcClients(db, ...args),
      replaceOidcClientSecret: (...args) => oidcClientsSql.replaceOidcClientSecret(db, ...args),
      deleteOidcClient: (...args) => oidcClientsSql.deleteOidcClient(db, ...args),
    },
    signingKeys: {
      insertSigningKey: (...args) => signingKeysSql.insertSigningKey(db, ...args),
      listSigningKeys: (...args) => signingKeysSql.listSigningKeys(db, ...args),
      retireSigningKeysExcept: (...args) => signingKeysSql.retireSigningKeysExcept(db, ...args),
      deleteSigningKey: (...args) => signingKeysSql.deleteSigningKey(db, ...args),
    },
    sessionLogins: {
      recordSessionLogin: (...args) => sessionLoginsSql.recordSessionLogin(db, ...args),
      findSessionLogin: (...args) => sessionLoginsSql.findSessionLogin(db, ...args),
      hasLiveSessionMadeBetween: (...args) => sessionLoginsSql.hasLiveSessionMadeBetween(db, ...args),
    },
  };
}

function guarded(ports: Stores, check: () => void): Stores {
  const wrap = <P extends object>(port: P): P =>
    Object.fromEntries(
      Object.entries(port).map(([name, call]) => [name, (...args: unknown[]) => (check(), (call as (...a: unknown[]) => unknown)(...args))]),
    ) as P;
  return {
    accounts: wrap(ports.accounts),
    methods: wrap(ports.methods),
    codes: wrap(ports.codes),
    challenges: wrap(ports.challenges),
    sessions: wrap(ports.sessions),
    counters: wrap(ports.counters),
    events: wrap(ports.events),
    outbox: wrap(ports.outbox),
    messages: wrap(ports.messages),
    sealedValues: wrap(ports.sealedValues),
    reminders: wrap(ports.reminders),
    browsers: wrap(ports.browsers),
    trustedBrowsers: wrap(ports.trustedBrowsers),
    passwordResets: wrap(ports.passwordResets),
    customers: wrap(ports.customers),
    apiKeys: wrap(ports.apiKeys),
    resetRequests: wrap(ports.resetRequests),
    oidcPayloads: wrap(ports.oidcPayloads),
    oidcClients: wrap(ports.oidcClients),
    signingKeys: wrap(ports.signingKeys),
    sessionLogins: wrap(ports.sessionLogins),
  };
}
