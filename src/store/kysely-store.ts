import type { Kysely } from "kysely";
import type { Store } from "./store.js";
import type { Database } from "./schema.js";
import * as accountsSql from "./kysely/accounts.js";
import * as codesSql from "./kysely/codes.js";
import * as countersSql from "./kysely/counters.js";
import * as eventsSql from "./kysely/events.js";
import * as methodsSql from "./kysely/methods.js";
import * as sessionsSql from "./kysely/sessions.js";

/**
 * The Store in SQL that SQLite and PostgreSQL both accept, one file per concept
 * under `kysely/`. Dialect differences stay in the files that build the Kysely
 * instance (sqlite.ts, postgres.ts). Inside `transaction`, every call goes
 * through the transaction's connection.
 */
export class KyselyStore implements Store {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new KyselyStore(trx)));
  }

  insertAccount: Store["insertAccount"] = (account) => accountsSql.insertAccount(this.db, account);
  findAccountById: Store["findAccountById"] = (id) => accountsSql.findAccountById(this.db, id);
  findAccountByName: Store["findAccountByName"] = (name) => accountsSql.findAccountByName(this.db, name);
  insertUser: Store["insertUser"] = (user) => accountsSql.insertUser(this.db, user);
  findUserById: Store["findUserById"] = (id) => accountsSql.findUserById(this.db, id);
  findUserByEmail: Store["findUserByEmail"] = (email) => accountsSql.findUserByEmail(this.db, email);
  updatePasswordHash: Store["updatePasswordHash"] = (userId, passwordHash) => accountsSql.updatePasswordHash(this.db, userId, passwordHash);
  findPolicyLayers: Store["findPolicyLayers"] = (keys) => accountsSql.findPolicyLayers(this.db, keys);
  savePolicyLayer: Store["savePolicyLayer"] = (accountId, audience, layer, now) => accountsSql.savePolicyLayer(this.db, accountId, audience, layer, now);
  listMethods: Store["listMethods"] = (userId) => methodsSql.listMethods(this.db, userId);
  findMethod: Store["findMethod"] = (id) => methodsSql.findMethod(this.db, id);
  insertMethod: Store["insertMethod"] = (method) => methodsSql.insertMethod(this.db, method);
  activateMethod: Store["activateMethod"] = (id, step, now) => methodsSql.activateMethod(this.db, id, step, now);
  claimTotpStep: Store["claimTotpStep"] = (methodId, step, now) => methodsSql.claimTotpStep(this.db, methodId, step, now);
  deleteMethod: Store["deleteMethod"] = (id) => methodsSql.deleteMethod(this.db, id);
  renameMethod: Store["renameMethod"] = (id, name) => methodsSql.renameMethod(this.db, id, name);
  markMethodUsed: Store["markMethodUsed"] = (id, now) => methodsSql.markMethodUsed(this.db, id, now);
  setDefaultMethod: Store["setDefaultMethod"] = (userId, methodId) => methodsSql.setDefaultMethod(this.db, userId, methodId);
  deletePendingMethods: Store["deletePendingMethods"] = (userId) => methodsSql.deletePendingMethods(this.db, userId);
  deleteAllMethods: Store["deleteAllMethods"] = (userId) => methodsSql.deleteAllMethods(this.db, userId);
  replaceRecoveryCodes: Store["replaceRecoveryCodes"] = (userId, salt, codes, now) => codesSql.replaceRecoveryCodes(this.db, userId, salt, codes, now);
  findRecoveryCodes: Store["findRecoveryCodes"] = (userId) => codesSql.findRecoveryCodes(this.db, userId);
  consumeRecoveryCode: Store["consumeRecoveryCode"] = (id, now) => codesSql.consumeRecoveryCode(this.db, id, now);
  deleteRecoveryCodes: Store["deleteRecoveryCodes"] = (userId) => codesSql.deleteRecoveryCodes(this.db, userId);
  replaceSmsCode: Store["replaceSmsCode"] = (code, now) => codesSql.replaceSmsCode(this.db, code, now);
  findLatestSmsCode: Store["findLatestSmsCode"] = (methodId, purpose, bindingId) => codesSql.findLatestSmsCode(this.db, methodId, purpose, bindingId);
  consumeSmsCode: Store["consumeSmsCode"] = (id, now) => codesSql.consumeSmsCode(this.db, id, now);
  insertSession: Store["insertSession"] = (session, tokenHash, client) => sessionsSql.insertSession(this.db, session, tokenHash, client);
  findSessionByTokenHash: Store["findSessionByTokenHash"] = (tokenHash, now) => sessionsSql.findSessionByTokenHash(this.db, tokenHash, now);
  revokeSession: Store["revokeSession"] = (id, now) => sessionsSql.revokeSession(this.db, id, now);
  revokeUserSessions: Store["revokeUserSessions"] = (userId, now, exceptSessionId) => sessionsSql.revokeUserSessions(this.db, userId, now, exceptSessionId);
  markSessionAuthenticated: Store["markSessionAuthenticated"] = (id, now) => sessionsSql.markSessionAuthenticated(this.db, id, now);
  insertLoginFlow: Store["insertLoginFlow"] = (flow, tokenHash) => sessionsSql.insertLoginFlow(this.db, flow, tokenHash);
  findLoginFlowByTokenHash: Store["findLoginFlowByTokenHash"] = (tokenHash) => sessionsSql.findLoginFlowByTokenHash(this.db, tokenHash);
  setLoginFlowMethod: Store["setLoginFlowMethod"] = (id, methodId) => sessionsSql.setLoginFlowMethod(this.db, id, methodId);
  completeLoginFlow: Store["completeLoginFlow"] = (id, now) => sessionsSql.completeLoginFlow(this.db, id, now);
  countAttempt: Store["countAttempt"] = (key, now, schedule) => countersSql.countAttempt(this.db, key, now, schedule);
  clearAttempts: Store["clearAttempts"] = (key) => countersSql.clearAttempts(this.db, key);
  refundAttempt: Store["refundAttempt"] = (key, now) => countersSql.refundAttempt(this.db, key, now);
  countInWindow: Store["countInWindow"] = (key, now, windowSeconds) => countersSql.countInWindow(this.db, key, now, windowSeconds);
  appendEvent: Store["appendEvent"] = (event) => eventsSql.appendEvent(this.db, event);
  listEvents: Store["listEvents"] = (filter) => eventsSql.listEvents(this.db, filter);
  insertOutboxMessage: Store["insertOutboxMessage"] = (message) => eventsSql.insertOutboxMessage(this.db, message);
  listOutboxMessages: Store["listOutboxMessages"] = (limit) => eventsSql.listOutboxMessages(this.db, limit);
}
