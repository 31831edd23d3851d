/**
 * Threats: SMS is the weaker factor (NIST 800-63B "restricted": SIM swap,
 * number porting, SS7 interception, SMS pumping). (1) A tenant admin (or a
 * mistyped command) sets a policy whose only allowed method is SMS, so every
 * user of the account is forced onto the weakest factor with no way to pick a
 * stronger one. twostep refuses such a policy layer in the service (setPolicy
 * throws PolicyError and saves nothing) and in `twostep policy:set`, with a
 * clear message. (2) Changing the phone number is how SIM-swap and
 * account-takeover crews move the second factor to a number they control; it
 * must count as a new factor: proven by a current code of the old number,
 * confirmed by a code sent to the new one, recorded as method.reset, and it
 * ends the user's other sessions.
 * Covers SECURITY 27 (and 17, 20's event, 30 for the number change).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../src/cli/index.js";
import { parseConfig } from "../../src/config.js";
import { createRuntime } from "../../src/bootstrap.js";
import { PolicyError, resolvePolicy } from "../../src/domain/policy.js";
import { effectivePolicyFor, setPolicy } from "../../src/services/policy/policy.js";
import { FormClient } from "../helpers/browser-client.js";
import { apiGet, apiPost, apiSessionFor } from "../helpers/enrol.js";
import { createTestApp, seedUser, testKeyBase64, type TestApp } from "../helpers/runtime.js";
import { enrolSms, gbMobile, oneCodeDuring, textsDuring, wrongSmsCode, type SmsUser } from "../helpers/sms.js";

describe("security: SMS is the weaker factor", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ env: { TWOSTEP_SMS_LIMIT_PER_NUMBER: "100", TWOSTEP_SMS_LIMIT_PER_USER: "100" } });
  });
  after(() => t.close());

  async function accountOf(userId: string) {
    const user = (await t.deps.store.accounts.findUserById(userId))!;
    return { user, account: (await t.deps.store.accounts.findAccountById(user.accountId))! };
  }
  const policyEvents = async (accountId: string) => (await t.deps.store.events.listEvents({ accountId, limit: 100 })).filter((event) => event.type === "policy.changed");

  describe("a policy cannot make SMS the only method", () => {
    it("no account kind defaults to SMS only", () => {
      for (const kind of ["platform", "reseller", "customer"] as const) assert.ok(resolvePolicy(kind, []).allowedMethods.includes("totp"), kind);
    });

    it("setPolicy refuses SMS alone (and an empty list), saving and recording nothing", async () => {
      const { user } = await seedUser(t.deps);
      const { account } = await accountOf(user.id);
      await setPolicy(t.deps, account, "own_users", { allowedMethods: ["totp", "sms"] });
      const eventsBefore = (await policyEvents(account.id)).length;

      for (const allowedMethods of [["sms"], ["sms", "sms"], []] as const) {
        await assert.rejects(setPolicy(t.deps, account, "own_users", { allowedMethods: [...allowedMethods] }), (error: unknown) => {
          assert.ok(error instanceof PolicyError);
          assert.match(error.message, allowedMethods.length ? /SMS cannot be the only allowed method/ : /at least one method/);
          return true;
        });
      }
      const [layer] = await t.deps.store.accounts.findPolicyLayers([{ accountId: account.id, audience: "own_users" }]);
      assert.deepEqual(layer!.allowedMethods, ["totp", "sms"], "the layer is unchanged");
      assert.equal((await policyEvents(account.id)).length, eventsBefore, "no policy.changed event for a refused change");
      assert.deepEqual((await effectivePolicyFor(t.deps, user)).allowedMethods, ["totp", "sms"]);
    });

    it("setPolicy refuses SMS alone for the layers that reach resellers' and customers' users too", async () => {
      const { user } = await seedUser(t.deps, { kind: "customer" });
      const { account: customer } = await accountOf(user.id);
      const reseller = (await t.deps.store.accounts.findAccountById(customer.parentId!))!;
      const platform = (await t.deps.store.accounts.findAccountById(reseller.parentId!))!;
      await assert.rejects(setPolicy(t.deps, reseller, "customer_users", { allowedMethods: ["sms"] }), PolicyError);
      await assert.rejects(setPolicy(t.deps, platform, "customer_users", { allowedMethods: ["sms"] }), PolicyError);
      await assert.rejects(setPolicy(t.deps, platform, "reseller_users", { allowedMethods: ["sms"] }), PolicyError);
      assert.deepEqual((await effectivePolicyFor(t.deps, user)).allowedMethods, ["totp", "webauthn"], "the customers' default is unchanged");
    });

    it("setPolicy still accepts TOTP alone, TOTP and SMS, and other changes", async () => {
      const { user } = await seedUser(t.deps);
      const { account } = await accountOf(user.id);
      assert.deepEqual((await setPolicy(t.deps, account, "own_users", { allowedMethods: ["totp"] })).allowedMethods, ["totp"]);
      assert.deepEqual((await setPolicy(t.deps, account, "own_users", { allowedMethods: ["totp", "sms"] })).allowedMethods, ["totp", "sms"]);
      assert.equal((await setPolicy(t.deps, account, "own_users", { recoveryCodePolicy: "disable" })).recoveryCodePolicy, "disable");
      assert.deepEqual((await effectivePolicyFor(t.deps, user)).allowedMethods, ["totp", "sms"]);
    });

    it("a policy without SMS keeps users off it: SMS setup is refused (403 method_not_allowed_by_policy)", async () => {
      const { user, password } = await seedUser(t.deps, { policy: { allowedMethods: ["totp"] } });
      const token = await apiSessionFor(t.app, { email: user.email, password });
      const { result, texts } = await textsDuring(t.deps, () => apiPost(t.app, "/api/me/two-factor/sms", { password, phoneNumber: gbMobile(0) }, { token }));
      assert.equal(result.statusCode, 403, result.body);
      assert.equal(result.json().code, "method_not_allowed_by_policy");
      assert.deepEqual(texts, []);
    });

    it("`twostep policy:set --allowed-methods sms` is refused with a clear message; totp,sms is accepted", async () => {
      const dir = mkdtempSync(join(tmpdir(), "twostep-sms-policy-cli-"));
      const env = {
        TWOSTEP_ENV: "test",
        TWOSTEP_DATABASE_URL: `sqlite:${join(dir, "cli.sqlite")}`,
        TWOSTEP_ENCRYPTION_KEY: testKeyBase64,
        TWOSTEP_ARGON2_MEMORY_KIB: "1024",
        TWOSTEP_ARGON2_ITERATIONS: "1",
      };
      const saved = { ...process.env };
      Object.assign(process.env, env);
      const run = async (...argv: string[]) => {
        const lines: string[] = [];
        const code = await runCli(argv, { out: (line) => lines.push(line) });
        return { code, output: lines.join("\n") };
      };
      try {
        assert.equal((await run("migrate")).code, 0);
        const created = await run("users:create", "--email", "owner@weak.test", "--password", "a long enough password", "--account", "Weak Ltd");
        assert.equal(created.code, 0, created.output);

        for (const methods of ["sms", "sms,sms", " sms "]) {
          const refused = await run("policy:set", "--account", "Weak Ltd", "--allowed-methods", methods);
          assert.equal(refused.code, 2, refused.output);
          assert.match(refused.output, /SMS cannot be the only allowed method/);
          assert.match(refused.output, /totp/);
        }
        const accepted = await run("policy:set", "--account", "Weak Ltd", "--allowed-methods", "totp,sms");
        assert.equal(accepted.code, 0, accepted.output);

        const runtime = await createRuntime(parseConfig(env));
        try {
          const owner = (await runtime.deps.store.accounts.findUserByEmail("owner@weak.test"))!;
          assert.deepEqual((await effectivePolicyFor(runtime.deps, owner)).allowedMethods, ["totp", "sms"]);
        } finally {
          await runtime.close();
        }
      } finally {
        process.env = saved;
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("changing the phone number counts as a new factor", () => {
    const address = "198.51.100.121";

    async function apiSession(user: SmsUser, from: string): Promise<string> {
      const login = await oneCodeDuring(t.deps, () => apiPost(t.app, "/api/login", { email: user.user.email, password: user.password }, { address: from }), user.phone);
      const done = await apiPost(t.app, "/api/login/second-factor", { flowId: login.result.json().flowId, code: login.code }, { address: from });
      assert.equal(done.statusCode, 200, done.body);
      return done.json().sessionToken as string;
    }

    it("needs a current code of the old number, confirms with a code sent to the new one, records method.reset and ends other sessions", async () => {
      const user = await enrolSms(t.deps, { phone: gbMobile(1) });
      const newPhone = gbMobile(2);
      const sessionX = await apiSession(user, address);
      t.clock.advance(31);
      const sessionY = await apiSession(user, "198.51.100.122");
      t.clock.advance(31);
      const browser = new FormClient(t.app, "203.0.113.121");
      const pageLogin = await oneCodeDuring(t.deps, () => browser.post("/login", { email: user.user.email, password: user.password }, { csrfFrom: "/login" }));
      assert.equal((await browser.post("/login/two-factor", { code: pageLogin.code }, { csrfFrom: "/login/two-factor" })).headers.location, "/settings/security");
      const live = async (token: string) => (await apiGet(t.app, "/api/me/security", { token })).statusCode === 200;

      // Without a current code of the old number: refused, and counted.
      const verify = await oneCodeDuring(t.deps, () => apiPost(t.app, `/api/me/methods/${user.methodId}/send-code`, {}, { token: sessionX, address }), user.phone);
      const wrong = await textsDuring(t.deps, () => apiPost(t.app, `/api/me/methods/${user.methodId}/reset`, { code: wrongSmsCode(verify.code), phoneNumber: newPhone }, { token: sessionX, address }));
      assert.equal(wrong.result.statusCode, 401);
      assert.equal(wrong.result.json().code, "invalid_sms_code");
      assert.deepEqual(wrong.texts, [], "nothing is texted to the new number without the old one's code");

      // With it: a pending method for the new number, whose code goes to the new number only.
      const reset = await oneCodeDuring(t.deps, () => apiPost(t.app, `/api/me/methods/${user.methodId}/reset`, { code: verify.code, phoneNumber: newPhone }, { token: sessionX, address }), newPhone);
      assert.equal(reset.result.statusCode, 200, reset.result.body);
      assert.equal(reset.result.json().type, "sms");
      assert.equal(reset.result.json().maskedPhone, "+44 •••••••458");
      const pendingId = reset.result.json().methodId as string;
      assert.notEqual(pendingId, user.methodId, "a new method, not an edit of the old one");
      assert.equal(await live(sessionY), true, "until it is confirmed, nothing changes");

      const confirmed = await apiPost(t.app, `/api/me/two-factor/sms/${pendingId}/confirm`, { code: reset.code }, { token: sessionX, address });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.equal(confirmed.json().recoveryCodes, null, "not a first method: the recovery codes stay");

      // A new factor: recorded as a reset, the old method is gone, other sessions are ended.
      const events = await t.deps.store.events.listEvents({ subjectUserId: user.user.id, limit: 100 });
      const resetEvent = events.find((event) => event.type === "method.reset");
      assert.ok(resetEvent, "method.reset is in the event log");
      assert.equal(resetEvent.detail.type, "sms");
      assert.equal(resetEvent.clientAddress, address);
      assert.equal(await live(sessionY), false, "the other API session is ended");
      const settings = await browser.get("/settings/security");
      assert.equal(settings.statusCode, 303, "the other page session is ended…");
      assert.match(String(settings.headers.location), /^\/login/, "…and sent to log in");
      assert.equal(await live(sessionX), true, "the session that made the change stays");
      const methods = (await apiGet(t.app, "/api/me/methods", { token: sessionX })).json().methods as { id: string; displayHint: string }[];
      assert.deepEqual(
        methods.map((method) => [method.id, method.displayHint]),
        [[pendingId, "+44 •••••••458"]],
      );

      // The next login texts the new number, and only it.
      t.clock.advance(31);
      const next = await textsDuring(t.deps, () => apiPost(t.app, "/api/login", { email: user.user.email, password: user.password }, { address }));
      assert.deepEqual(
        next.texts.map((message) => message.recipient),
        [newPhone],
      );
    });

    it("the old number keeps working until the new one is confirmed, and a reset with no new number is refused", async () => {
      const user = await enrolSms(t.deps, { phone: gbMobile(3) });
      const session = await apiSession(user, address);
      const noNumber = await apiPost(t.app, `/api/me/methods/${user.methodId}/reset`, { code: "123456" }, { token: session, address });
      assert.equal(noNumber.statusCode, 400);
      assert.equal(noNumber.json().code, "invalid_phone_number");

      const verify = await oneCodeDuring(t.deps, () => apiPost(t.app, `/api/me/methods/${user.methodId}/send-code`, {}, { token: session, address }));
      await oneCodeDuring(t.deps, () => apiPost(t.app, `/api/me/methods/${user.methodId}/reset`, { code: verify.code, phoneNumber: gbMobile(4) }, { token: session, address }), gbMobile(4));
      t.clock.advance(31);
      // Unconfirmed: a login still uses (and texts) the old number.
      const login = await oneCodeDuring(t.deps, () => apiPost(t.app, "/api/login", { email: user.user.email, password: user.password }, { address: "198.51.100.123" }), user.phone);
      assert.equal((await apiPost(t.app, "/api/login/second-factor", { flowId: login.result.json().flowId, code: login.code }, { address: "198.51.100.123" })).statusCode, 200);
      assert.equal((await t.deps.store.events.listEvents({ subjectUserId: user.user.id, limit: 100 })).some((event) => event.type === "method.reset"), false);
    });
  });
});
