/** Store conformance: sessions and login flows. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { type ConformanceContext, now, client, schedule } from "./fixtures.js";

export function sessionsConformance(context: ConformanceContext) {
  const store = () => context.store;
  it("finds live sessions by token hash only, and revokes them", async () => {
    const owner = await context.user();
    const session = (id: string) => ({ id, userId: owner.id, createdAt: now, expiresAt: now + 1000, authenticatedAt: now, recoveryCodeUsed: true });
    await store().sessions.insertSession(session("s1"), "hash-1", client);
    await store().sessions.insertSession(session("s2"), "hash-2", client);
    await store().sessions.insertSession(session("s3"), "hash-3", client);
    const found = await store().sessions.findLiveSession("hash-1", now);
    assert.equal(found?.session.id, "s1");
    assert.deepEqual(found?.user, owner, "the session's user, as findUserById reads it");
    assert.deepEqual(found?.account, await store().accounts.findAccountById(owner.accountId), "the user's account");
    assert.equal(await store().sessions.findLiveSession("hash-1", now + 1000), undefined, "expired");
    await store().sessions.markSessionAuthenticated("s1", now + 5);
    const marked = (await store().sessions.findLiveSession("hash-1", now))?.session;
    assert.equal(marked?.authenticatedAt, now + 5);
    assert.equal(marked?.recoveryCodeUsed, false);
    await store().sessions.revokeUserSessions(owner.id, now, "s1");
    assert.ok(await store().sessions.findLiveSession("hash-1", now));
    assert.equal(await store().sessions.findLiveSession("hash-2", now), undefined);
    await store().sessions.revokeSession("s1", now);
    assert.equal(await store().sessions.findLiveSession("hash-1", now), undefined);
  });

  it("lists a user's live sessions with their client, ends one only for its user, and marks activity at most once per window", async () => {
    const owner = await context.user();
    const other = await context.user();
    const session = (id: string, userId: string, createdAt: number, expiresAt = now + 10_000) => ({ id, userId, createdAt, expiresAt, authenticatedAt: createdAt, recoveryCodeUsed: false });
    const [a, b, c, d, e] = Array.from({ length: 5 }, () => randomUUID());
    await store().sessions.insertSession(session(a!, owner.id, now - 30), `h-${a}`, { clientAddress: "203.0.113.7", userAgent: "agent a" });
    await store().sessions.insertSession(session(b!, owner.id, now - 20), `h-${b}`, { clientAddress: null, userAgent: null });
    await store().sessions.insertSession(session(c!, owner.id, now - 40, now), `h-${c}`, client); // expired at now
    await store().sessions.insertSession(session(d!, other.id, now - 10), `h-${d}`, client);
    await store().sessions.insertSession(session(e!, owner.id, now - 50), `h-${e}`, client);
    await store().sessions.revokeSession(e!, now - 1);

    let listed = await store().sessions.listUserSessions(owner.id, now);
    assert.deepEqual(listed.map((row) => row.session.id), [b, a], "live ones only, the most recently active first");
    assert.deepEqual({ address: listed[1]!.clientAddress, agent: listed[1]!.userAgent, active: listed[1]!.session.lastActiveAt }, { address: "203.0.113.7", agent: "agent a", active: now - 30 });

    // Activity: the first mark in a window writes, a second one with the same bound does not.
    const later = now + 60_000;
    await store().sessions.touchSession(a!, later, later - 60_000);
    assert.equal((await store().sessions.findLiveSession(`h-${a}`, now))?.session.lastActiveAt, later);
    await store().sessions.touchSession(a!, later + 50, later + 50 - 60_000);
    assert.equal((await store().sessions.findLiveSession(`h-${a}`, now))?.session.lastActiveAt, later, "still inside the window: no write");
    listed = await store().sessions.listUserSessions(owner.id, now);
    assert.deepEqual(listed.map((row) => row.session.id), [a, b]);

    assert.equal(await store().sessions.revokeUserSession(other.id, a!, now), false, "another user's session is not theirs to end");
    assert.equal(await store().sessions.revokeUserSession(owner.id, c!, now), false, "an expired one is not ended again");
    assert.equal(await store().sessions.revokeUserSession(owner.id, a!, now), true);
    assert.equal(await store().sessions.revokeUserSession(owner.id, a!, now), false, "once");
    assert.equal(await store().sessions.findLiveSession(`h-${a}`, now), undefined);
    assert.equal(await store().sessions.revokeUserSessions(owner.id, now), 1, "b only: c expired, e ended");
    assert.deepEqual(await store().sessions.listUserSessions(owner.id, now), []);
    assert.equal((await store().sessions.listUserSessions(other.id, now)).length, 1);
  });

  it("completes a login flow once, and never after it expired", async () => {
    const owner = await context.user();
    const flow = { id: randomUUID(), userId: owner.id, state: "second_factor" as const, methodId: null, createdAt: now, expiresAt: now + 1000 };
    await store().sessions.insertLoginFlow(flow, `flow-${flow.id}`);
    await store().sessions.setLoginFlowMethod(flow.id, "m1");
    assert.equal((await store().sessions.findLoginFlowByTokenHash(`flow-${flow.id}`))?.methodId, "m1");
    const racers = await Promise.all(Array.from({ length: 10 }, () => store().sessions.completeLoginFlow(flow.id, now)));
    assert.equal(racers.filter(Boolean).length, 1);
    const late = { ...flow, id: randomUUID() };
    await store().sessions.insertLoginFlow(late, `flow-${late.id}`);
    assert.equal(await store().sessions.completeLoginFlow(late.id, now + 1000), false);
  });

  it("ends every pending login flow of one user, and only theirs", async () => {
    const owner = await context.user();
    const stranger = await context.user();
    const pending = (userId: string, state: "second_factor" | "enrolment_required") => ({ id: randomUUID(), userId, state, methodId: null, createdAt: now, expiresAt: now + 1000 });
    const mine = [pending(owner.id, "second_factor"), pending(owner.id, "enrolment_required")];
    const theirs = pending(stranger.id, "second_factor");
    for (const flow of [...mine, theirs]) await store().sessions.insertLoginFlow(flow, `end-${flow.id}`);
    await store().sessions.endUserLoginFlows(owner.id, now + 5);
    for (const flow of mine) assert.equal((await store().sessions.findLoginFlowByTokenHash(`end-${flow.id}`))?.expiresAt, now + 5, flow.state);
    assert.equal(await store().sessions.completeLoginFlow(mine[0]!.id, now + 5), false, "an ended flow yields no session");
    assert.equal(await store().sessions.advanceLoginFlow({ ...mine[1]!, state: "recovery_codes_shown" }, "enrolment_required", now + 5), false);
    assert.equal((await store().sessions.findLoginFlowByTokenHash(`end-${theirs.id}`))?.expiresAt, now + 1000, "another user's flow goes on");
    assert.equal(await store().sessions.completeLoginFlow(theirs.id, now + 5), true);
  });

  it("moves a flow out of one state once, only from that state, and never after it expired", async () => {
    const owner = await context.user();
    const flow = { id: randomUUID(), userId: owner.id, state: "enrolment_required" as const, methodId: null, createdAt: now, expiresAt: now + 1000 };
    await store().sessions.insertLoginFlow(flow, `adv-${flow.id}`);
    const shown = { ...flow, state: "recovery_codes_shown" as const };
    const racers = await Promise.all(Array.from({ length: 10 }, () => store().sessions.advanceLoginFlow(shown, "enrolment_required", now)));
    assert.equal(racers.filter(Boolean).length, 1);
    assert.equal((await store().sessions.findLoginFlowByTokenHash(`adv-${flow.id}`))?.state, "recovery_codes_shown");
    // The second step's completion does not apply to an enrolment flow.
    assert.equal(await store().sessions.completeLoginFlow(flow.id, now), false);
    assert.equal(await store().sessions.advanceLoginFlow({ ...flow, state: "completed" }, "recovery_codes_shown", now + 1000), false, "expired");
    assert.equal(await store().sessions.advanceLoginFlow({ ...flow, state: "completed" }, "recovery_codes_shown", now), true);
  });

  it("finds a flow with its user and only the user's active methods, in one read", async () => {
    const owner = await context.user();
    const stranger = await context.user();
    const older = context.method(owner.id, { createdAt: now - 10 });
    const newer = context.method(owner.id, { type: "sms", createdAt: now });
    for (const m of [newer, older, context.method(owner.id, { status: "pending" }), context.method(stranger.id)]) await store().methods.insertMethod(m);
    const flow = { id: randomUUID(), userId: owner.id, state: "second_factor" as const, methodId: older.id, createdAt: now, expiresAt: now + 1000 };
    await store().sessions.insertLoginFlow(flow, `ctx-${flow.id}`);
    const found = await store().sessions.findLoginContext(`ctx-${flow.id}`);
    assert.deepEqual(found?.flow, flow);
    assert.deepEqual(found?.user, await store().accounts.findUserById(owner.id));
    assert.deepEqual(found?.activeMethods.map((m) => m.id), [older.id, newer.id]);
    assert.deepEqual(found?.activeMethods[1], newer);
    assert.equal(await store().sessions.findLoginContext("no-such-hash"), undefined);
    const bare = await context.user();
    const bareFlow = { ...flow, id: randomUUID(), userId: bare.id, methodId: null };
    await store().sessions.insertLoginFlow(bareFlow, `ctx-${bareFlow.id}`);
    assert.deepEqual((await store().sessions.findLoginContext(`ctx-${bareFlow.id}`))?.activeMethods, []);
  });

  it("finds a code attempt's flow, user and only that user's active method, named or current", async () => {
    const owner = await context.user();
    const stranger = await context.user();
    const current = context.method(owner.id, { isDefault: true });
    const other = context.method(owner.id, { type: "sms" });
    const pending = context.method(owner.id, { status: "pending" });
    const foreign = context.method(stranger.id);
    for (const m of [current, other, pending, foreign]) await store().methods.insertMethod(m);
    const flow = { id: randomUUID(), userId: owner.id, state: "second_factor" as const, methodId: current.id, createdAt: now, expiresAt: now + 1000 };
    await store().sessions.insertLoginFlow(flow, `att-${flow.id}`);
    const byFlow = await store().sessions.findLoginAttempt(`att-${flow.id}`, null);
    assert.deepEqual(byFlow?.flow, flow);
    assert.equal(byFlow?.user.id, owner.id);
    assert.deepEqual(byFlow?.method, current);
    assert.equal((await store().sessions.findLoginAttempt(`att-${flow.id}`, other.id))?.method?.id, other.id);
    assert.equal((await store().sessions.findLoginAttempt(`att-${flow.id}`, pending.id))?.method, undefined, "a pending method is no way in");
    assert.equal((await store().sessions.findLoginAttempt(`att-${flow.id}`, foreign.id))?.method, undefined, "another user's method never verifies");
    assert.equal(await store().sessions.findLoginAttempt("no-such-hash", null), undefined);
  });

  it("counts a code attempt's counters in its read, only when the code would be checked, address first", async () => {
    const owner = await context.user();
    const method = context.method(owner.id, { isDefault: true });
    await store().methods.insertMethod(method);
    const flow = { id: randomUUID(), userId: owner.id, state: "second_factor" as const, methodId: method.id, createdAt: now, expiresAt: now + 3_600_000 };
    await store().sessions.insertLoginFlow(flow, `cnt-${flow.id}`);
    const addressKey = `address:${randomUUID()}`;
    const keyPrefix = `user-${randomUUID()}:`;
    const count = { now, methodTypes: ["totp" as const, "sms" as const], address: { key: addressKey, schedule }, user: { keyPrefix, schedule } };
    const first = await store().sessions.findLoginAttempt(`cnt-${flow.id}`, null, count);
    assert.deepEqual(first?.flow, flow);
    assert.deepEqual(first?.method, method);
    assert.deepEqual(first?.counts, { address: { allowed: true, failures: 1, lockedUntil: null }, user: { allowed: true, failures: 1, lockedUntil: null } });
    // Nothing counted when the code would not be checked: a proof of another type, an expired flow, no method.
    assert.equal((await store().sessions.findLoginAttempt(`cnt-${flow.id}`, null, { ...count, methodTypes: ["webauthn"] }))?.counts, null);
    assert.equal((await store().sessions.findLoginAttempt(`cnt-${flow.id}`, null, { ...count, now: flow.expiresAt }))?.counts, null, "expired");
    assert.equal((await store().sessions.findLoginAttempt(`cnt-${flow.id}`, randomUUID(), count))?.counts, null, "no such method");
    assert.equal(await store().sessions.findLoginAttempt("no-such-hash", null, count), undefined);
    const enrolment = { ...flow, id: randomUUID(), state: "enrolment_required" as const };
    await store().sessions.insertLoginFlow(enrolment, `cnt-${enrolment.id}`);
    assert.equal((await store().sessions.findLoginAttempt(`cnt-${enrolment.id}`, null, count))?.counts, null, "an enrolment flow takes no code");
    // Without an address only the user is counted; the counters moved only where counted.
    assert.deepEqual((await store().sessions.findLoginAttempt(`cnt-${flow.id}`, null, { ...count, address: null }))?.counts, {
      address: null,
      user: { allowed: true, failures: 2, lockedUntil: null },
    });
    assert.deepEqual(await store().counters.countAttempt(addressKey, now, schedule), { allowed: true, failures: 2, lockedUntil: null });
    // The third failure locks (the schedule's three free failures): the count says so.
    assert.deepEqual((await store().sessions.findLoginAttempt(`cnt-${flow.id}`, null, count))?.counts, {
      address: { allowed: true, failures: 3, lockedUntil: now + 60_000 },
      user: { allowed: true, failures: 3, lockedUntil: now + 60_000 },
    });
    // A locked address refuses and the user is not counted.
    const locked = await store().sessions.findLoginAttempt(`cnt-${flow.id}`, null, count);
    assert.deepEqual(locked?.counts, { address: { allowed: false, lockedUntil: now + 60_000 }, user: null });
    // A locked user refuses (a new address counts).
    const other = { ...count, address: { key: `address:${randomUUID()}`, schedule } };
    assert.deepEqual((await store().sessions.findLoginAttempt(`cnt-${flow.id}`, null, other))?.counts, {
      address: { allowed: true, failures: 1, lockedUntil: null },
      user: { allowed: false, lockedUntil: now + 60_000 },
    });
    // After the lock, counting goes on where it stopped.
    assert.deepEqual((await store().sessions.findLoginAttempt(`cnt-${flow.id}`, null, { ...count, now: now + 60_000, address: null }))?.counts?.user, {
      allowed: true,
      failures: 4,
      lockedUntil: now + 60_000 + 120_000,
    });
  });

  it("counts racing code attempts once each: the lock holds for every racer, on one user's flows and on one address", async () => {
    const owner = await context.user();
    const method = context.method(owner.id, { isDefault: true });
    await store().methods.insertMethod(method);
    const flows = Array.from({ length: 10 }, () => ({ id: randomUUID(), userId: owner.id, state: "second_factor" as const, methodId: method.id, createdAt: now, expiresAt: now + 1000 }));
    for (const flow of flows) await store().sessions.insertLoginFlow(flow, `race-${flow.id}`);
    const keyPrefix = `user-${randomUUID()}:`;
    const addressKey = `address:${randomUUID()}`;
    // Ten flows of one user, each with its own address, at once.
    const byUser = await Promise.all(
      flows.map((flow) =>
        store().sessions.findLoginAttempt(`race-${flow.id}`, null, { now, methodTypes: ["totp"], address: { key: `address:${randomUUID()}`, schedule }, user: { keyPrefix, schedule } }),
      ),
    );
    assert.equal(byUser.filter((attempt) => attempt?.counts?.user?.allowed).length, 3, "three free failures, then the user's lock holds for racing requests");
    assert.ok(byUser.every((attempt) => attempt?.counts?.user?.allowed || attempt?.counts?.user?.lockedUntil === now + 60_000));
    // Ten flows at once from one address (each its own user counter).
    const byAddress = await Promise.all(
      flows.map((flow) =>
        store().sessions.findLoginAttempt(`race-${flow.id}`, null, { now, methodTypes: ["totp"], address: { key: addressKey, schedule }, user: { keyPrefix: `user-${randomUUID()}:`, schedule } }),
      ),
    );
    assert.equal(byAddress.filter((attempt) => attempt?.counts?.address?.allowed).length, 3);
    assert.equal(byAddress.filter((attempt) => attempt?.counts?.user).length, 3, "a user is counted only when the address was");
    assert.deepEqual(await store().counters.countAttempt(addressKey, now, schedule), { allowed: false, lockedUntil: now + 60_000 });
  });

  it("deletes the app login records and provider-session links of sessions ended by a time, and keeps a live session's", async () => {
    const owner = await context.user();
    const session = (id: string, expiresAt: number) => ({ id, userId: owner.id, createdAt: now - 100, expiresAt, authenticatedAt: now - 100, recoveryCodeUsed: false });
    const [live, expired, revoked, revokedLater, gone] = Array.from({ length: 5 }, () => randomUUID());
    await store().sessions.insertSession(session(live!, now + 10_000), `h-${live}`, client);
    await store().sessions.insertSession(session(expired!, now - 10), `h-${expired}`, client);
    await store().sessions.insertSession(session(revoked!, now + 10_000), `h-${revoked}`, client);
    await store().sessions.insertSession(session(revokedLater!, now + 10_000), `h-${revokedLater}`, client);
    await store().sessions.revokeSession(revoked!, now - 5);
    await store().sessions.revokeSession(revokedLater!, now + 5);
    for (const id of [live, expired, revoked, revokedLater, gone]) {
      await store().sessionLogins.recordSessionLogin({ sessionId: id!, factor: "totp", createdAt: now - 100 });
      await store().sessionLogins.linkProviderSession(`provider-${id}`, id!, now - 100);
    }
    assert.equal(await store().sessionLogins.deleteRecordsOfSessionsEndedBy(now), 6, "expired, revoked by then and a session that does not exist: a login record and a link each");
    for (const id of [live, revokedLater]) assert.notEqual(await store().sessionLogins.findSessionLogin(id!), null, "still live at the time, or ended after it");
    for (const id of [expired, revoked, gone]) assert.equal(await store().sessionLogins.findSessionLogin(id!), null);
    const links = await store().sessionLogins.findProviderSessionLinks([live, expired, revoked, revokedLater, gone].map((id) => `provider-${id}`));
    assert.deepEqual(links.map((link) => link.sessionId).sort(), [live!, revokedLater!].sort());
    assert.equal(await store().sessionLogins.deleteRecordsOfSessionsEndedBy(now), 0, "nothing left to delete");
  });
}
