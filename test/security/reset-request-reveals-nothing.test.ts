/**
 * Threat: "Forgot password?" as an oracle for which emails have accounts.
 * An existing and an unknown email get the same status, the same body (page
 * and API) and answers in the same timing class; only the real account gets
 * an email.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { performance } from "node:perf_hooks";
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

  it("answers in the same timing class (median within 5 ms or 50 %)", async () => {
    const api = new ApiClient(t.app, "198.51.100.99");
    const users = await Promise.all(Array.from({ length: 15 }, () => seedUser(t.deps)));
    const time = async (email: string) => {
      const started = performance.now();
      const answer = await api.post("/api/password-reset/request", { email });
      assert.equal(answer.status, 202);
      return performance.now() - started;
    };
    const real: number[] = [];
    const fake: number[] = [];
    for (const [i, { user }] of users.entries()) {
      real.push(await time(user.email));
      fake.push(await time(`unknown-${i}-${Date.now()}@example.test`));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const [realMedian, fakeMedian] = [median(real), median(fake)];
    const gap = Math.abs(realMedian - fakeMedian);
    assert.ok(gap < 5 || gap < 0.5 * Math.max(realMedian, fakeMedian), `existing ${realMedian.toFixed(2)} ms vs unknown ${fakeMedian.toFixed(2)} ms`);
  });
});
