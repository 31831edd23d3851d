/**
 * Threat: "Forgot password?" as an oracle for which emails have accounts.
 * An existing and an unknown email get the same status, the same body (page
 * and API) and the same work (one write transaction, so the time of the
 * answer does not tell them apart); only the real account gets an email.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { resetEmailCount } from "../helpers/password-reset.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

const withoutCsrf = (page: string) => page.replace(/name="_csrf" value="[^"]+"/g, "").replace(/<meta name="csrf-token" content="[^"]+">/g, "");

describe("a reset request reveals nothing", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ env: { TWOSTEP_PASSWORD_RESET_LIMIT_PER_ADDRESS: "1000" } });
  });
  after(() => t.close());

  it("API and pages: the same status and body for an existing and an unknown email", async () => {
    const { user } = await seedUser(t.deps);
    const unknown = `nobody-${Date.now()}@example.test`;
    const api = new ApiClient(t.app);
    const real = await api.post("/api/password-reset/request", { email: user.email });
    const fake = await api.post("/api/password-reset/request", { email: unknown });
    assert.deepEqual([real.status, real.raw.body], [fake.status, fake.raw.body]);
    assert.equal(real.status, 202);
    const browser = new FormClient(t.app);
    const realPage = await browser.post("/login/forgot", { email: user.email }, { csrfFrom: "/login/forgot" });
    const fakePage = await browser.post("/login/forgot", { email: unknown }, { csrfFrom: "/login/forgot" });
    assert.equal(realPage.statusCode, fakePage.statusCode);
    assert.equal(withoutCsrf(realPage.body), withoutCsrf(fakePage.body));
    assert.equal(await resetEmailCount(t.deps, user.email), 2);
    assert.equal(await resetEmailCount(t.deps, unknown), 0);
  });

  it("does the same work for an existing and an unknown email (one write transaction each), and keeps nothing for the unknown one", async () => {
    // Equal work, not a stopwatch: a timed assertion would flake on a busy machine and prove little.
    const { user } = await seedUser(t.deps);
    const api = new ApiClient(t.app, "198.51.100.99");
    const store = t.deps.store;
    const original = store.transaction.bind(store);
    let transactions = 0;
    store.transaction = ((work: Parameters<typeof original>[0]) => {
      transactions++;
      return original(work);
    }) as typeof store.transaction;
    try {
      const count = async (email: string) => {
        transactions = 0;
        assert.equal((await api.post("/api/password-reset/request", { email })).status, 202);
        return transactions;
      };
      const unknown = `unknown-${Date.now()}@example.test`;
      assert.equal(await count(user.email), 1, "the reset row and its email, in one transaction");
      assert.equal(await count(unknown), 1, "an unknown email: a transaction of the same shape");
      assert.equal(await resetEmailCount(t.deps, unknown), 0);
    } finally {
      store.transaction = original;
    }
  });
});
