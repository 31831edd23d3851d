/** API1: the platform API's reports with a key: the account's users and coverage, the reseller's customers, the event log; the same access table as the session API. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, nextCode } from "../helpers/api-client.js";
import { apiLoginWithCode, enrolTotp } from "../helpers/enrol.js";
import { createKeyThroughApi } from "../helpers/api-keys.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { createAccount, createUser } from "../../src/services/access/users.js";

describe("platform API: users, customers and events with an API key", () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await createTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("a reseller admin's key lists the account's users with coverage, its customers, and the log; a member's key gets 403 on users", async () => {
    const admin = await enrolTotp(t.deps, { role: "admin" });
    const token = await apiLoginWithCode(t.app, { email: admin.user.email, password: admin.password }, nextCode(admin.keyBase32, t.clock));
    const system = { clientAddress: null, userAgent: "test" };
    const member = await createUser(t.deps, { accountId: admin.user.accountId, email: `m-${Date.now()}@example.test`, password: "member-password-1", role: "member" }, system);
    assert.ok(member.ok);
    const customer = await createAccount(t.deps, { name: "Zeta Customer", kind: "customer", parentId: admin.user.accountId });
    const { key } = await createKeyThroughApi(api, token, "reports");

    const users = await api.get("/api/platform/v1/users", key);
    assert.equal(users.status, 200, users.raw.body);
    assert.deepEqual(users.body.coverage, { total: 2, withTwoFactor: 1 });
    const listed = users.body.users as { email: string; twoFactorEnabled: boolean }[];
    assert.equal(listed.find((user) => user.email === admin.user.email)?.twoFactorEnabled, true);

    const customers = await api.get("/api/platform/v1/customers", key);
    assert.equal(customers.status, 200, customers.raw.body);
    assert.deepEqual((customers.body.customers as { account: { id: string } }[]).map((row) => row.account.id), [customer.id]);

    const events = await api.get("/api/platform/v1/events", key);
    assert.equal(events.status, 200, events.raw.body);
    assert.ok((events.body.events as { type: string }[]).some((event) => event.type === "api_key.created"));

    // The same endpoints refuse a session token: the platform API takes keys only.
    assert.equal((await api.get("/api/platform/v1/users", token)).status, 401);

    const memberEnrolled = await enrolTotp(t.deps, { role: "member" });
    const memberToken = await apiLoginWithCode(t.app, { email: memberEnrolled.user.email, password: memberEnrolled.password }, nextCode(memberEnrolled.keyBase32, t.clock));
    const memberKey = await createKeyThroughApi(api, memberToken, "member key");
    const refused = await api.get("/api/platform/v1/users", memberKey.key);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, "forbidden");
  });
});
