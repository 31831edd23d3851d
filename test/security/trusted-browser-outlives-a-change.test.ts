/**
 * Threat: a trusted browser ("Don't ask again on this browser", L7) outliving
 * a 2FA or password change, because some path records the change without
 * forgetting the user's browsers. Recording an event no longer forgets
 * anything by itself (issue 19, item 2): each such change is recorded with
 * `recordChangeAndForgetTrustedBrowsers`, and `recordEvent` refuses those
 * types. This file holds that shut three ways: the refusal at run time, no
 * other writer of events, and a walk of the change paths through a store that
 * watches every port call, checking that each change event is written in a
 * transaction that also forgets that user's browsers (method.reset takes the
 * same activation as method.added: `method-activation.ts`).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { before, describe, it } from "node:test";
import { changesThatForgetTrustedBrowsers, eventsThatForgetTrustedBrowsers } from "../../src/domain/login-flow/trusted-browser.js";
import type { EventType } from "../../src/domain/model.js";
import { deleteMethod } from "../../src/services/enrolment/methods.js";
import { removeTwoFactor } from "../../src/services/enrolment/two-factor-removal.js";
import { startLogin } from "../../src/services/login/start-login.js";
import { verifySecondStepCode } from "../../src/services/login/second-step.js";
import { resolveSession } from "../../src/services/sessions/sessions.js";
import { recordEvent } from "../../src/services/events/audit.js";
import { completePasswordReset } from "../../src/services/reset/password-reset-complete.js";
import { requestPasswordReset } from "../../src/services/reset/password-reset-request.js";
import { ApiClient, nextCode } from "../helpers/api-client.js";
import { withCountingStore, type StoreCall } from "../helpers/counting-store.js";
import { enrolTotp, enrolTotpFor } from "../helpers/enrol.js";
import { resetLinkFor } from "../helpers/password-reset.js";
import { enrolTotpAndSms } from "../helpers/sms.js";
import { codeFor } from "../helpers/totp.js";
import { seedUser, type TestApp } from "../helpers/runtime.js";
import { rememberThroughApi } from "../helpers/trusted-browser.js";
import { filesUnder } from "../helpers/source-files.js";

const root = join(import.meta.dirname, "..", "..");
const context = { clientAddress: null, userAgent: "test" };

describe("security: a trusted browser outliving a 2FA or password change", () => {
  const counting = withCountingStore();
  const calls = counting.calls;
  let t: TestApp;
  before(() => {
    t = counting.app();
  });

  it("recordEvent refuses every change type at run time and writes nothing", async () => {
    const { user } = await seedUser(t.deps);
    for (const type of changesThatForgetTrustedBrowsers) {
      await assert.rejects(
        t.deps.store.transaction((tx) => recordEvent(t.deps, tx, { type: type as Exclude<EventType, typeof type>, subject: user, context })),
        /recordChangeAndForgetTrustedBrowsers/,
        type,
      );
    }
    const events = await t.deps.store.events.listEvents({ subjectUserId: user.id, limit: 50 });
    assert.deepEqual(events.map((event) => event.type), ["user.created"], "only the seed's event");
  });

  it("only the event log appends events; the two policy writers record policy.changed alone", () => {
    const writers = filesUnder(join(root, "src"))
      .filter((file) => !file.includes(`${join("src", "store")}`))
      .filter((file) => readFileSync(file, "utf8").includes(".appendEvent("))
      .map((file) => relative(root, file).split("\\").join("/"))
      .sort();
    assert.deepEqual(writers, ["src/services/events/audit.ts", "src/services/policy/policy-levels.ts", "src/services/policy/policy.ts"]);
    for (const file of writers.filter((path) => !path.endsWith("audit.ts"))) {
      const text = readFileSync(join(root, file), "utf8");
      for (const type of changesThatForgetTrustedBrowsers) assert.ok(!text.includes(`"${type}"`), `${file} names ${type}`);
    }
  });

  it("each change path writes its event in a transaction that forgets that user's browsers", async () => {
    calls.length = 0;
    // The user adds a first method (method.added, two_factor.enabled) and remembers a browser.
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const { sessionToken } = await rememberThroughApi(t.app, enrolled, t.clock);
    // The user deletes it (the last one: two_factor.disabled).
    const deleted = await new ApiClient(t.app).request("DELETE", `/api/me/methods/${enrolled.methodId}`, { json: { code: nextCode(enrolled.keyBase32, t.clock) }, token: sessionToken });
    assert.equal(deleted.status, 200, deleted.raw.body);
    // Support turns a new one off (two_factor.disabled by someone else).
    t.clock.advance(30);
    await enrolTotpFor(t.deps, enrolled.user, enrolled.password);
    const { user: supporter } = await seedUser(t.deps, { kind: "platform" });
    await t.deps.store.transaction((tx) => removeTwoFactor(t.deps, tx, enrolled.user, context, { reason: "support_reset", actor: supporter }));
    // A reset link (password.reset).
    assert.equal((await requestPasswordReset(t.deps, { email: enrolled.user.email }, context)).ok, true);
    const { token } = await resetLinkFor(t.deps, enrolled.user.email);
    const reset = await completePasswordReset(t.deps, { token, newPassword: "a new password for the test", confirmPassword: "a new password for the test" }, context);
    assert.ok(reset.ok, JSON.stringify(reset));
    // One method of two removed (method.removed, 2FA stays on).
    const both = await enrolTotpAndSms(t.deps, t.clock);
    const login = await startLogin(t.deps, { email: both.user.email, password: both.password }, context);
    assert.ok(login.ok && login.kind === "second_factor");
    const signedIn = await verifySecondStepCode(t.deps, login.flowToken, { code: codeFor(both.keyBase32, t.clock.now()), methodId: both.totpMethodId }, context);
    assert.ok(signedIn.ok, JSON.stringify(signedIn));
    const auth = (await resolveSession(t.deps, signedIn.sessionToken))!;
    t.clock.advance(30);
    const removed = await deleteMethod(t.deps, auth, { methodId: both.totpMethodId, code: codeFor(both.keyBase32, t.clock.now()) }, context);
    assert.deepEqual(removed, { ok: true, twoFactorDisabled: false });
    // Turning 2FA off where policy asks for a new password (password.changed).
    const rotating = await enrolTotp(t.deps, { kind: "customer", policy: { rotatePasswordOnDisable: true } });
    const rotated = await rememberThroughApi(t.app, rotating, t.clock);
    const disabled = await new ApiClient(t.app).post("/api/me/two-factor/disable", { password: rotating.password, newPassword: "another new password for the test" }, rotated.sessionToken);
    assert.equal(disabled.status, 200, disabled.raw.body);

    // Each transaction's calls, in order; a call outside any transaction stands alone.
    const transactions: Extract<StoreCall, { kind: "call" }>[][] = [[]];
    for (const call of calls) {
      if (call.kind === "transaction_end") transactions.push([]);
      else if (call.inTransaction) transactions.at(-1)!.push(call);
      else transactions.push([call], []);
    }
    const seen = new Set<string>();
    for (const transaction of transactions) {
      for (const call of transaction) {
        if (call.port !== "events" || call.method !== "appendEvent") continue;
        const event = call.args[0] as { type: EventType; subjectUserId: string };
        if (!eventsThatForgetTrustedBrowsers.has(event.type)) continue;
        seen.add(event.type);
        assert.ok(call.inTransaction, `${event.type} is written inside a transaction`);
        const forgot = transaction.some((other) => other.port === "trustedBrowsers" && other.method === "forgetUserTrustedBrowsers" && other.args[0] === event.subjectUserId);
        assert.ok(forgot, `${event.type}: the same transaction forgets the user's trusted browsers`);
      }
    }
    assert.deepEqual([...seen].sort(), ["method.added", "method.removed", "password.changed", "password.reset", "two_factor.disabled", "two_factor.enabled"]);
  });
});
