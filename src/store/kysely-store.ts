import { sql, type Kysely } from "kysely";
import type { Account, LoginFlow, Method, OutboxMessage, SecurityEvent, Session, SmsCode, SmsPurpose, User } from "../domain/model.js";
import type { PolicyAudience, PolicyLayer } from "../domain/policy.js";
import type { AttemptCount, ClientInfo, LockSchedule, Store } from "./store.js";
import type { Database } from "./schema.js";
import { fromMethod, toAccount, toEvent, toLoginFlow, toMethod, toSession, toSmsCode, toUser } from "./rows.js";

/**
 * The Store in SQL that SQLite and PostgreSQL both accept. Dialect differences
 * stay in the files that build the Kysely instance (sqlite.ts, postgres.ts).
 */
export class KyselyStore implements Store {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new KyselyStore(trx)));
  }

  async insertAccount(account: Account): Promise<void> {
    await this.db
      .insertInto("accounts")
      .values({ id: account.id, kind: account.kind, name: account.name, parent_id: account.parentId, created_at: account.createdAt })
      .execute();
  }

  async findAccountById(id: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toAccount(row);
  }

  async findAccountByName(name: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom("accounts").selectAll().where("name", "=", name).executeTakeFirst();
    return row && toAccount(row);
  }

  async insertUser(user: User): Promise<void> {
    await this.db
      .insertInto("users")
      .values({
        id: user.id,
        account_id: user.accountId,
        email: user.email,
        display_name: user.displayName,
        role: user.role,
        password_hash: user.passwordHash,
        active: user.active ? 1 : 0,
        created_at: user.createdAt,
      })
      .execute();
  }

  async findUserById(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toUser(row);
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    const row = await this.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
    return row && toUser(row);
  }

  async updatePasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.db.updateTable("users").set({ password_hash: passwordHash }).where("id", "=", userId).execute();
  }

  async findPolicyLayers(keys: { accountId: string; audience: PolicyAudience }[]): Promise<PolicyLayer[]> {
    if (keys.length === 0) return [];
    const rows = await this.db
      .selectFrom("policies")
      .selectAll()
      .where((eb) => eb.or(keys.map((key) => eb.and([eb("account_id", "=", key.accountId), eb("audience", "=", key.audience)]))))
      .execute();
    const layers: PolicyLayer[] = [];
    for (const key of keys) {
      const row = rows.find((candidate) => candidate.account_id === key.accountId && candidate.audience === key.audience);
      if (!row) continue;
      layers.push({
        requireTwoFactorFrom: row.require_two_factor_from === null ? null : Number(row.require_two_factor_from),
        allowedMethods: row.allowed_methods === null ? null : (JSON.parse(row.allowed_methods) as PolicyLayer["allowedMethods"]),
        recoveryCodePolicy: row.recovery_code_policy as PolicyLayer["recoveryCodePolicy"],
        rotatePasswordOnDisable: row.rotate_password_on_disable === null ? null : Boolean(row.rotate_password_on_disable),
      });
    }
    return layers;
  }

  async savePolicyLayer(accountId: string, audience: PolicyAudience, layer: PolicyLayer, now: number): Promise<void> {
    const values = {
      require_two_factor_from: layer.requireTwoFactorFrom,
      allowed_methods: layer.allowedMethods === null ? null : JSON.stringify(layer.allowedMethods),
      recovery_code_policy: layer.recoveryCodePolicy,
      rotate_password_on_disable: layer.rotatePasswordOnDisable === null ? null : layer.rotatePasswordOnDisable ? 1 : 0,
      updated_at: now,
    };
    await this.db
      .insertInto("policies")
      .values({ account_id: accountId, audience, ...values })
      .onConflict((oc) => oc.columns(["account_id", "audience"]).doUpdateSet(values))
      .execute();
  }

  async listMethods(userId: string): Promise<Method[]> {
    const rows = await this.db.selectFrom("methods").selectAll().where("user_id", "=", userId).orderBy("created_at").execute();
    return rows.map(toMethod);
  }

  async findMethod(id: string): Promise<Method | undefined> {
    const row = await this.db.selectFrom("methods").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toMethod(row);
  }

  async insertMethod(method: Method): Promise<void> {
    await this.db.insertInto("methods").values(fromMethod(method)).execute();
  }

  async activateMethod(id: string, step: number | null, now: number): Promise<boolean> {
    return this.transaction(async (store) => {
      const db = (store as KyselyStore).db;
      // Conditional on still pending and not expired: a second confirm of the same setup gets false.
      const activated = await db
        .updateTable("methods")
        .set({ status: "active", confirmed_at: now, last_used_step: step, last_used_at: now, pending_expires_at: null, is_default: 1 })
        .where("id", "=", id)
        .where("status", "=", "pending")
        .where("pending_expires_at", ">", now)
        .returning(["user_id", "replaces_method_id"])
        .executeTakeFirst();
      if (!activated) return false;
      // M3: the most recently enabled method becomes the default.
      await db.updateTable("methods").set({ is_default: 0 }).where("user_id", "=", activated.user_id).where("id", "!=", id).execute();
      // M4: a reset's old method works until this moment, and dies now.
      if (activated.replaces_method_id) await db.deleteFrom("methods").where("id", "=", activated.replaces_method_id).execute();
      return true;
    });
  }

  async claimTotpStep(methodId: string, step: number, now: number): Promise<boolean> {
    // One conditional UPDATE: of two requests with the same code, only one sees a row change.
    const result = await this.db
      .updateTable("methods")
      .set({ last_used_step: step, last_used_at: now })
      .where("id", "=", methodId)
      .where("status", "=", "active")
      .where((eb) => eb.or([eb("last_used_step", "is", null), eb("last_used_step", "<", step)]))
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async deleteMethod(id: string): Promise<void> {
    await this.db.deleteFrom("methods").where("id", "=", id).execute();
  }

  async renameMethod(id: string, name: string): Promise<void> {
    await this.db.updateTable("methods").set({ name }).where("id", "=", id).execute();
  }

  async markMethodUsed(id: string, now: number): Promise<void> {
    await this.db.updateTable("methods").set({ last_used_at: now }).where("id", "=", id).execute();
  }

  async setDefaultMethod(userId: string, methodId: string): Promise<boolean> {
    return this.transaction(async (store) => {
      const db = (store as KyselyStore).db;
      const target = await db
        .updateTable("methods")
        .set({ is_default: 1 })
        .where("id", "=", methodId)
        .where("user_id", "=", userId)
        .where("status", "=", "active")
        .executeTakeFirst();
      if (target.numUpdatedRows !== 1n) return false;
      await db.updateTable("methods").set({ is_default: 0 }).where("user_id", "=", userId).where("id", "!=", methodId).execute();
      return true;
    });
  }

  async deletePendingMethods(userId: string): Promise<void> {
    await this.db.deleteFrom("methods").where("user_id", "=", userId).where("status", "=", "pending").execute();
  }

  async deleteAllMethods(userId: string): Promise<void> {
    await this.db.deleteFrom("methods").where("user_id", "=", userId).execute();
  }

  async replaceRecoveryCodes(userId: string, salt: string, codes: { id: string; codeHash: string }[], now: number): Promise<void> {
    await this.transaction(async (store) => {
      const db = (store as KyselyStore).db;
      await db.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
      await db.deleteFrom("recovery_code_sets").where("user_id", "=", userId).execute();
      await db.insertInto("recovery_code_sets").values({ user_id: userId, salt, created_at: now }).execute();
      await db
        .insertInto("recovery_codes")
        .values(codes.map((code) => ({ id: code.id, user_id: userId, code_hash: code.codeHash, used_at: null })))
        .execute();
    });
  }

  async findRecoveryCodes(userId: string) {
    const set = await this.db.selectFrom("recovery_code_sets").selectAll().where("user_id", "=", userId).executeTakeFirst();
    if (!set) return undefined;
    const rows = await this.db.selectFrom("recovery_codes").selectAll().where("user_id", "=", userId).execute();
    return {
      salt: set.salt,
      codes: rows.map((row) => ({ id: row.id, userId: row.user_id, codeHash: row.code_hash, usedAt: row.used_at === null ? null : Number(row.used_at) })),
    };
  }

  async consumeRecoveryCode(id: string, now: number): Promise<boolean> {
    // Conditional write: two racing requests with one code give one success (R2).
    const result = await this.db.updateTable("recovery_codes").set({ used_at: now }).where("id", "=", id).where("used_at", "is", null).executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async deleteRecoveryCodes(userId: string): Promise<void> {
    await this.transaction(async (store) => {
      const db = (store as KyselyStore).db;
      await db.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
      await db.deleteFrom("recovery_code_sets").where("user_id", "=", userId).execute();
    });
  }

  async insertSession(session: Session, tokenHash: string, client: ClientInfo): Promise<void> {
    await this.db
      .insertInto("sessions")
      .values({
        id: session.id,
        token_hash: tokenHash,
        user_id: session.userId,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        authenticated_at: session.authenticatedAt,
        recovery_code_used: session.recoveryCodeUsed ? 1 : 0,
        client_address: client.clientAddress,
        user_agent: client.userAgent,
        revoked_at: null,
      })
      .execute();
  }

  async findSessionByTokenHash(tokenHash: string, now: number): Promise<Session | undefined> {
    const row = await this.db
      .selectFrom("sessions")
      .selectAll()
      .where("token_hash", "=", tokenHash)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async revokeSession(id: string, now: number): Promise<void> {
    await this.db.updateTable("sessions").set({ revoked_at: now }).where("id", "=", id).where("revoked_at", "is", null).execute();
  }

  async revokeUserSessions(userId: string, now: number, exceptSessionId?: string): Promise<void> {
    let query = this.db.updateTable("sessions").set({ revoked_at: now }).where("user_id", "=", userId).where("revoked_at", "is", null);
    if (exceptSessionId) query = query.where("id", "!=", exceptSessionId);
    await query.execute();
  }

  async markSessionAuthenticated(id: string, now: number): Promise<void> {
    await this.db.updateTable("sessions").set({ authenticated_at: now, recovery_code_used: 0 }).where("id", "=", id).execute();
  }

  async insertLoginFlow(flow: LoginFlow, tokenHash: string): Promise<void> {
    await this.db
      .insertInto("login_flows")
      .values({
        id: flow.id,
        token_hash: tokenHash,
        user_id: flow.userId,
        state: flow.state,
        method_id: flow.methodId,
        created_at: flow.createdAt,
        expires_at: flow.expiresAt,
      })
      .execute();
  }

  async findLoginFlowByTokenHash(tokenHash: string): Promise<LoginFlow | undefined> {
    const row = await this.db.selectFrom("login_flows").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
    return row && toLoginFlow(row);
  }

  async setLoginFlowMethod(id: string, methodId: string | null): Promise<void> {
    await this.db.updateTable("login_flows").set({ method_id: methodId }).where("id", "=", id).execute();
  }

  async completeLoginFlow(id: string, now: number): Promise<boolean> {
    // Conditional write: a flow yields at most one session, and never after it expired.
    const result = await this.db
      .updateTable("login_flows")
      .set({ state: "completed" })
      .where("id", "=", id)
      .where("state", "=", "second_factor")
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async countAttempt(key: string, now: number, schedule: LockSchedule): Promise<AttemptCount> {
    const first = schedule.rows[0];
    const last = schedule.rows[schedule.rows.length - 1];
    if (!first || !last) throw new Error("lock schedule is empty");
    const next = sql<number>`attempt_counters.failures + 1`;
    // The lock length for the new count, as one CASE so the count and the lock land in one write.
    const lockSeconds = sql<number>`case ${sql.join(
      schedule.rows.slice(0, -1).map((row) => sql`when ${next} = ${row.failures} then ${row.lockSeconds}`),
      sql` `,
    )} else ${last.lockSeconds} end`;
    const firstLock = first.failures <= 1 ? now + first.lockSeconds * 1000 : null;
    // One upsert, counted before the code is checked: a new key starts at 1; a known key counts up
    // only while it is not locked (the WHERE), so parallel guesses each take a slot (AuthQuake).
    const row = await this.db
      .insertInto("attempt_counters")
      .values({ key, failures: 1, locked_until: firstLock, updated_at: now })
      .onConflict((oc) =>
        oc
          .column("key")
          .doUpdateSet({
            failures: next,
            locked_until: sql`case when ${next} >= ${first.failures} then ${now} + 1000 * (${lockSeconds}) else null end`,
            updated_at: now,
          })
          .where((eb) => eb.or([eb("attempt_counters.locked_until", "is", null), eb("attempt_counters.locked_until", "<=", now)])),
      )
      .returning(["failures", "locked_until"])
      .executeTakeFirst();
    if (row) return { allowed: true, failures: Number(row.failures), lockedUntil: row.locked_until === null ? null : Number(row.locked_until) };
    const locked = await this.db.selectFrom("attempt_counters").select("locked_until").where("key", "=", key).executeTakeFirstOrThrow();
    return { allowed: false, lockedUntil: Number(locked.locked_until) };
  }

  async clearAttempts(key: string): Promise<void> {
    await this.db.deleteFrom("attempt_counters").where("key", "=", key).execute();
  }

  async refundAttempt(key: string, now: number): Promise<void> {
    await this.db
      .updateTable("attempt_counters")
      .set({ failures: sql`failures - 1`, updated_at: now })
      .where("key", "=", key)
      .where("failures", ">", 0)
      .execute();
  }

  async replaceSmsCode(code: SmsCode, now: number): Promise<void> {
    await this.transaction(async (store) => {
      const db = (store as KyselyStore).db;
      await db
        .updateTable("sms_codes")
        .set({ used_at: now })
        .where("method_id", "=", code.methodId)
        .where("purpose", "=", code.purpose)
        .where("binding_id", "=", code.bindingId)
        .where("used_at", "is", null)
        .execute();
      await db
        .insertInto("sms_codes")
        .values({
          id: code.id,
          user_id: code.userId,
          method_id: code.methodId,
          purpose: code.purpose,
          binding_id: code.bindingId,
          code_hash: code.codeHash,
          created_at: code.createdAt,
          expires_at: code.expiresAt,
          used_at: null,
        })
        .execute();
    });
  }

  async findLatestSmsCode(methodId: string, purpose: SmsPurpose, bindingId: string): Promise<SmsCode | undefined> {
    const row = await this.db
      .selectFrom("sms_codes")
      .selectAll()
      .where("method_id", "=", methodId)
      .where("purpose", "=", purpose)
      .where("binding_id", "=", bindingId)
      .where("used_at", "is", null)
      .orderBy("created_at", "desc")
      .executeTakeFirst();
    return row && toSmsCode(row);
  }

  async consumeSmsCode(id: string, now: number): Promise<boolean> {
    // Conditional write: one success per code, none after expiry.
    const result = await this.db
      .updateTable("sms_codes")
      .set({ used_at: now })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async countInWindow(key: string, now: number, windowSeconds: number): Promise<{ count: number; windowStart: number }> {
    const expired = sql<boolean>`rate_windows.window_start <= ${now - windowSeconds * 1000}`;
    // One upsert: a new window starts at 1, a live one counts up, in a single atomic statement.
    const row = await this.db
      .insertInto("rate_windows")
      .values({ key, window_start: now, count: 1 })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          count: sql`case when ${expired} then 1 else rate_windows.count + 1 end`,
          window_start: sql`case when ${expired} then ${now} else rate_windows.window_start end`,
        }),
      )
      .returning(["count", "window_start"])
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), windowStart: Number(row.window_start) };
  }

  async insertOutboxMessage(message: OutboxMessage): Promise<void> {
    await this.db
      .insertInto("outbox_messages")
      .values({ id: message.id, channel: message.channel, recipient: message.recipient, subject: message.subject, body: message.body, created_at: message.createdAt })
      .execute();
  }

  async listOutboxMessages(limit: number): Promise<OutboxMessage[]> {
    const rows = await this.db.selectFrom("outbox_messages").selectAll().orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
    return rows.map((row) => ({ id: row.id, channel: row.channel, recipient: row.recipient, subject: row.subject, body: row.body, createdAt: Number(row.created_at) }));
  }

  async appendEvent(event: SecurityEvent): Promise<void> {
    await this.db
      .insertInto("events")
      .values({
        id: event.id,
        account_id: event.accountId,
        actor_user_id: event.actorUserId,
        subject_user_id: event.subjectUserId,
        type: event.type,
        detail: JSON.stringify(event.detail),
        client_address: event.clientAddress,
        user_agent: event.userAgent,
        created_at: event.createdAt,
      })
      .execute();
  }

  async listEvents(filter: { subjectUserId?: string; accountId?: string; limit: number }): Promise<SecurityEvent[]> {
    let query = this.db.selectFrom("events").selectAll();
    if (filter.subjectUserId) query = query.where("subject_user_id", "=", filter.subjectUserId);
    if (filter.accountId) query = query.where("account_id", "=", filter.accountId);
    const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(filter.limit).execute();
    return rows.map(toEvent);
  }
}
