/** Forced browsing (SECURITY 32): an admin of account A types the id of a user of account B, in the pages and the API: 403, and nothing but the refusal is written. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, createObservedTestApp, diffSnapshots, type ObservedTestApp } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { addUser } from "../helpers/manage-users.js";
import { seedUser } from "../helpers/runtime.js";

describe("attack: an admin opens or deactivates another account's user", () => {
  let t: ObservedTestApp;
  before(async () => {
    t = await createObservedTestApp();
  });
  after(() => t.close());

  /** Only `access.denied` events may appear: the refusal is logged, nothing else changes. */
  async function onlyRefusalsWritten(act: () => Promise<void>) {
    const before = await t.snapshot();
    await act();
    const diff = diffSnapshots(before, await t.snapshot());
    assert.deepEqual(Object.keys(diff), ["events"], JSON.stringify(diff).slice(0, 500));
    assert.ok(diff.events!.removed.length === 0 && diff.events!.added.every((event) => event.type === "access.denied"));
  }

  it("gets 403 for the record, the confirm page, deactivate and reactivate, and the list of B", async () => {
    const adminA = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const adminB = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const victim = await addUser(t.deps, adminB.user.accountId);
    const api = new ApiClient(t.app);
    const token = await api.sessionFor(adminA.user.email, adminA.password);
    const browser = new FormClient(t.app);
    await browser.post("/login", { email: adminA.user.email, password: adminA.password }, { csrfFrom: "/login" });
    const csrf = await browser.csrfFor("/panel/users");

    await onlyRefusalsWritten(async () => {
      assert.equal((await api.get(`/api/admin/users/${victim.user.id}`, token)).status, 403);
      assert.equal((await api.post(`/api/admin/users/${victim.user.id}/deactivate`, undefined, token)).status, 403);
      assert.equal((await api.post(`/api/admin/users/${adminB.user.id}/reactivate`, undefined, token)).status, 403);
      assert.equal((await browser.get(`/panel/users/${victim.user.id}`)).statusCode, 403);
      assert.equal((await browser.get(`/panel/users/${victim.user.id}/deactivate`)).statusCode, 403);
      assert.equal((await browser.post(`/panel/users/${victim.user.id}/deactivate`, {}, { csrf })).statusCode, 403);
      // An id nobody has answers exactly the same: no probing for which ids exist.
      assert.equal((await api.get("/api/admin/users/00000000-0000-0000-0000-000000000000", token)).status, 403);
    });
    const list = await api.get("/api/admin/users", token);
    assert.ok(list.body.users.every((user: any) => user.id !== victim.user.id), "B's users are not in A's list");
    assert.equal((await t.deps.store.accounts.findUserById(victim.user.id))?.active, true);
    assert.ok(await api.sessionFor(victim.user.email, victim.password), "the victim still logs in");
  });

  it("a reseller admin cannot act upward on platform staff even when given the id", async () => {
    const admin = await seedUser(t.deps, { kind: "reseller", role: "admin" });
    const support = await seedUser(t.deps, { kind: "platform", role: "support" });
    const api = new ApiClient(t.app);
    const token = await api.sessionFor(admin.user.email, admin.password);
    assert.equal((await api.post(`/api/admin/users/${support.user.id}/deactivate`, undefined, token)).status, 403);
    assert.equal((await t.deps.store.accounts.findUserById(support.user.id))?.active, true);
  });
});
