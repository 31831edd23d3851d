/**
 * Issue 19, item 7: a second step reads its login flow once and its policy at
 * most once per request, through the pages and the API alike: a refusal
 * carries what the page needs to draw the form again, so the route does not
 * go back to the store. A successful login writes only inside its
 * transaction: nothing after the commit (the remembered-browser token of the
 * password delay included).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ApiClient, nextCode } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { withCountingStore, isFlowRead, isPolicyRead, isWrite, type StoreCall } from "../helpers/counting-store.js";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { seedUser, type TestApp } from "../helpers/runtime.js";
import { passwordStep } from "../helpers/trusted-browser.js";

/** A code that is not the right one: the right one with its last digit changed. */
const wrong = (code: string) => code.slice(0, 5) + String((Number(code[5]) + 1) % 10);

describe("the second step reads the flow and the policy once per request", () => {
  const counting = withCountingStore();
  const calls = counting.calls;
  let t: TestApp;
  before(() => {
    t = counting.app();
  });

  const count = (test: (call: StoreCall) => boolean) => calls.filter(test).length;
  /** Writes after the last transaction ended (a login's must all be inside it). */
  const writesAfterLastTransaction = () => {
    const end = calls.map((call) => call.kind).lastIndexOf("transaction_end");
    assert.ok(end >= 0, "the request ran a transaction");
    return calls.slice(end + 1).filter(isWrite);
  };
  const writesOutsideTransactions = () => calls.filter((call) => isWrite(call) && call.kind === "call" && !call.inTransaction);

  async function apiFlow(enrolled: EnrolledUser): Promise<string> {
    const started = await new ApiClient(t.app).post("/api/login", { email: enrolled.user.email, password: enrolled.password });
    assert.equal(started.body.status, "second_factor_required", started.raw.body);
    return started.body.flowId as string;
  }

  async function pageFlow(enrolled: EnrolledUser): Promise<{ browser: FormClient; csrf: string; methodId: string }> {
    const browser = new FormClient(t.app);
    assert.match(await passwordStep(browser, enrolled.user.email, enrolled.password), /^\/login\/two-factor/);
    const page = await browser.get("/login/two-factor");
    const methodId = /name="methodId" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(methodId);
    return { browser, csrf: await browser.csrfFor(), methodId };
  }

  for (const remember of [false, true]) {
    it(`API, wrong code${remember ? ", box ticked" : ""}: one flow read, no policy read`, async () => {
      const enrolled = await enrolTotp(t.deps, { kind: "customer" });
      const flowId = await apiFlow(enrolled);
      calls.length = 0;
      const response = await new ApiClient(t.app).post("/api/login/second-factor", { flowId, code: wrong(nextCode(enrolled.keyBase32, t.clock)), ...(remember ? { rememberBrowser: true } : {}) });
      assert.equal(response.status, 401, response.raw.body);
      assert.equal(count(isFlowRead), 1, "flow reads");
      assert.equal(count(isPolicyRead), 0, "policy reads");
    });

    it(`page, wrong code${remember ? ", box ticked" : ""}: one flow read, one policy read, the form drawn again`, async () => {
      const enrolled = await enrolTotp(t.deps, { kind: "customer" });
      const { browser, csrf, methodId } = await pageFlow(enrolled);
      calls.length = 0;
      const response = await browser.post("/login/two-factor", { code: wrong(nextCode(enrolled.keyBase32, t.clock)), methodId, ...(remember ? { rememberBrowser: "yes" } : {}) }, { csrf });
      assert.equal(response.statusCode, 401, response.body);
      assert.match(response.body, /name="code"/, "the form again");
      assert.match(response.body, /name="rememberBrowser"/, "with the policy's box");
      assert.equal(count(isFlowRead), 1, "flow reads");
      assert.equal(count(isPolicyRead), 1, "policy reads");
    });
  }

  it("API, right code with the box ticked: one flow read, one policy read, every write inside the transaction", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const flowId = await apiFlow(enrolled);
    calls.length = 0;
    const response = await new ApiClient(t.app).post("/api/login/second-factor", { flowId, code: nextCode(enrolled.keyBase32, t.clock), rememberBrowser: true });
    assert.equal(response.status, 200, response.raw.body);
    assert.ok(response.body.browserToken, "a new remembered-browser token was stored and answered");
    assert.equal(count(isFlowRead), 1, "flow reads");
    assert.equal(count(isPolicyRead), 1, "policy reads");
    assert.deepEqual(writesOutsideTransactions(), []);
    assert.deepEqual(writesAfterLastTransaction(), []);
  });

  it("page, right code: one flow read, one policy read (a new browser: the new sign-in email's switch), every write inside the transaction", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const { browser, csrf, methodId } = await pageFlow(enrolled);
    calls.length = 0;
    const response = await browser.post("/login/two-factor", { code: nextCode(enrolled.keyBase32, t.clock), methodId }, { csrf });
    assert.equal(response.statusCode, 303, response.body);
    assert.ok(browser.cookies.has("twostep_browser"), "the remembered-browser cookie is set from the transaction's token");
    assert.equal(count(isFlowRead), 1, "flow reads");
    assert.equal(count(isPolicyRead), 1, "policy reads: without the box, only whether a new browser is emailed (issue 17)");
    assert.deepEqual(writesOutsideTransactions(), []);
    assert.deepEqual(writesAfterLastTransaction(), []);
  });

  it("recovery code: nothing is written after the login's transaction", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const flowId = await apiFlow(enrolled);
    calls.length = 0;
    const response = await new ApiClient(t.app).post("/api/login/recovery-code", { flowId, code: enrolled.recoveryCodes[0]! });
    assert.equal(response.status, 200, response.raw.body);
    assert.ok(response.body.browserToken);
    assert.equal(count(isFlowRead), 1, "flow reads");
    assert.deepEqual(writesAfterLastTransaction(), []);
  });

  it("password-only login (no 2FA), API and page: nothing is written after the login's transaction", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "customer" });
    calls.length = 0;
    const response = await new ApiClient(t.app).post("/api/login", { email: user.email, password });
    assert.equal(response.body.status, "authenticated", response.raw.body);
    assert.ok(response.body.browserToken, "the remembered-browser token, stored in the transaction");
    assert.deepEqual(writesAfterLastTransaction(), []);
    const browser = new FormClient(t.app);
    const csrf = await browser.csrfFor("/login");
    calls.length = 0;
    const page = await browser.post("/login", { email: user.email, password }, { csrf });
    assert.equal(page.statusCode, 303, page.body);
    assert.ok(browser.cookies.has("twostep_browser"));
    assert.deepEqual(writesAfterLastTransaction(), []);
  });

  it("API, switching the method answers the flow and the methods from one read", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const flowId = await apiFlow(enrolled);
    calls.length = 0;
    const response = await new ApiClient(t.app).post("/api/login/method", { flowId, methodId: enrolled.methodId });
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.currentMethodId, enrolled.methodId);
    assert.equal(count(isFlowRead), 1, "flow reads");
  });
});

describe("with no email gateway, a new browser's login reads no policy for the email no one could send", () => {
  const counting = withCountingStore({ env: { TWOSTEP_EMAIL_GATEWAY: "none" } });
  const calls = counting.calls;
  let t: TestApp;
  before(() => {
    t = counting.app();
  });

  it("API, right code: no policy read, login.new_browser still recorded, no message written", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const started = await new ApiClient(t.app).post("/api/login", { email: enrolled.user.email, password: enrolled.password });
    assert.equal(started.body.status, "second_factor_required", started.raw.body);
    calls.length = 0;
    const response = await new ApiClient(t.app).post("/api/login/second-factor", { flowId: started.body.flowId, code: nextCode(enrolled.keyBase32, t.clock) });
    assert.equal(response.status, 200, response.raw.body);
    assert.ok(response.body.browserToken, "a new browser");
    assert.equal(calls.filter(isPolicyRead).length, 0, "policy reads");
    const recorded = calls.filter((call) => call.kind === "call" && call.method === "appendEvent").map((call) => (call.kind === "call" ? (call.args[0] as { type: string }).type : ""));
    assert.ok(recorded.includes("login.new_browser"), `events: ${recorded.join(", ")}`);
    assert.equal(calls.filter((call) => call.kind === "call" && call.method === "enqueue").length, 0, "messages written");
  });
});
