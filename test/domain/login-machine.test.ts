/** The login as a state machine (STYLE "Flows are data"; L2–L5, P1, R5), as a table: (state, event) → next state + effects. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { transition, type FlowEvent, type FlowPolicy } from "../../src/domain/login-flow/machine.js";
import type { LoginFlow, Method } from "../../src/domain/model.js";
import type { TwoFactorRequirement } from "../../src/domain/two-factor-requirement.js";

const now = 1_000_000;
const policy: FlowPolicy = { loginTtlSeconds: 300, enrolmentTtlSeconds: 600 };
const method = (id: string, extra: Partial<Method> = {}): Method => ({
  id, userId: "u1", type: "totp", name: id, status: "active", isDefault: false, secretCiphertext: "x", lastUsedStep: null,
  replacesMethodId: null, createdAt: 1, confirmedAt: 1, lastUsedAt: null, pendingExpiresAt: null, displayHint: null, ...extra,
});
const flow = (state: LoginFlow["state"], extra: Partial<LoginFlow> = {}): LoginFlow => ({ id: "f", userId: "u1", state, methodId: "a", createdAt: now - 10, expiresAt: now + 1000, ...extra });
const none: TwoFactorRequirement = { status: "not_required" };
const later: TwoFactorRequirement = { status: "required_later", deadline: now + 7 * 86_400_000 };
const past: TwoFactorRequirement = { status: "required_now", deadline: now - 86_400_000 };
const password = (methods: Method[], requirement: TwoFactorRequirement): FlowEvent => ({ type: "password_verified", flowId: "f", userId: "u1", methods, requirement });

/** An effect list, written short: `type` or `type:detail`. */
function summary(effects: { type: string; [key: string]: unknown }[]): string[] {
  return effects.map((effect) => {
    if (effect.type === "record_event") return `event:${effect.event as string}`;
    if (effect.type === "advance_flow") return `advance:${effect.from as string}→${(effect.flow as LoginFlow).state}`;
    if (effect.type === "store_flow") return `store:${(effect.flow as LoginFlow).state}`;
    if (effect.type === "issue_session") return effect.recoveryCodeUsed ? "session(recovery)" : "session";
    return effect.type;
  });
}

const rows: { name: string; from: LoginFlow | null; event: FlowEvent; at?: number; state?: LoginFlow["state"] | null; effects?: string[]; error?: string }[] = [
  { name: "password, no method, nothing required → session at once", from: null, event: password([], none), state: null, effects: ["session", "event:login.succeeded"] },
  { name: "password, no method, required next week → session and the deadline", from: null, event: password([], later), state: null, effects: ["session", "event:login.succeeded", "show_deadline"] },
  { name: "password, no method, required since yesterday → enrolment only, no session", from: null, event: password([], past), state: "enrolment_required", effects: ["store:enrolment_required", "event:login.enrolment_required"] },
  { name: "password, a pending method only, required → still enrolment", from: null, event: password([method("p", { status: "pending" })], past), state: "enrolment_required", effects: ["store:enrolment_required", "event:login.enrolment_required"] },
  { name: "password, TOTP → second factor (required or not)", from: null, event: password([method("a")], past), state: "second_factor", effects: ["store:second_factor", "start_challenge"] },
  { name: "password, SMS default → second factor and its challenge starts", from: null, event: password([method("a"), method("s", { type: "sms", isDefault: true })], none), state: "second_factor", effects: ["store:second_factor", "start_challenge"] },
  { name: "password reset, no 2FA → logged in", from: null, event: { type: "password_reset_completed", flowId: "f", userId: "u1", methods: [], requirement: none }, state: null, effects: ["session", "event:login.succeeded"] },
  { name: "password reset, 2FA → the second step", from: null, event: { type: "password_reset_completed", flowId: "f", userId: "u1", methods: [method("a")], requirement: none }, state: "second_factor", effects: ["store:second_factor", "start_challenge"] },
  { name: "L7 password on a trusted browser, TOTP → session at once, the skip logged", from: null, event: { ...password([method("a")], past), trustedBrowser: true } as FlowEvent, state: null, effects: ["session", "event:browser.remembered_login", "event:login.succeeded"] },
  { name: "L7 a trusted browser never skips a required enrolment", from: null, event: { ...password([], past), trustedBrowser: true } as FlowEvent, state: "enrolment_required", effects: ["store:enrolment_required", "event:login.enrolment_required"] },
  { name: "L7 a trusted browser, no method, nothing required → the plain password login", from: null, event: { ...password([], none), trustedBrowser: true } as FlowEvent, state: null, effects: ["session", "event:login.succeeded"] },
  { name: "password on an existing flow → refused", from: flow("second_factor"), event: password([], none), error: "invalid_request" },
  { name: "right code → completed, counter settled, new session", from: flow("second_factor"), event: { type: "code_verified", factor: "totp" }, state: "completed", effects: ["advance:second_factor→completed", "settle_attempts", "session", "event:login.succeeded"] },
  { name: "L7 right code, box ticked and allowed → the browser is trusted too", from: flow("second_factor"), event: { type: "code_verified", factor: "totp", rememberForDays: 30 }, state: "completed", effects: ["advance:second_factor→completed", "settle_attempts", "session", "trust_browser", "event:login.succeeded"] },
  { name: "L7 right code, 0 days (not allowed or not ticked) → nothing remembered", from: flow("second_factor"), event: { type: "code_verified", factor: "totp", rememberForDays: 0 }, state: "completed", effects: ["advance:second_factor→completed", "settle_attempts", "session", "event:login.succeeded"] },
  { name: "wrong code → stays, failure logged", from: flow("second_factor"), event: { type: "code_failed", factor: "totp", locked: false }, state: "second_factor", effects: ["event:login.second_factor_failed"] },
  { name: "wrong code that locks → the lock is logged too", from: flow("second_factor"), event: { type: "code_failed", factor: "sms", locked: true }, state: "second_factor", effects: ["event:login.second_factor_failed", "event:login.locked_out"] },
  { name: "recovery code, keep → flagged session", from: flow("second_factor"), event: { type: "recovery_code_verified", codesLeft: 9, policy: "keep" }, state: "completed", effects: ["advance:second_factor→completed", "event:login.recovery_code_used", "settle_attempts", "session(recovery)", "event:login.succeeded"] },
  { name: "recovery code, disable → 2FA removed, plain session", from: flow("second_factor"), event: { type: "recovery_code_verified", codesLeft: 9, policy: "disable" }, state: "completed", effects: ["advance:second_factor→completed", "event:login.recovery_code_used", "disable_two_factor", "settle_attempts", "session", "event:login.succeeded"] },
  { name: "switch to own SMS → its challenge starts", from: flow("second_factor"), event: { type: "method_switched", methodId: "s", methods: [method("a"), method("s", { type: "sms" })] }, state: "second_factor", effects: ["advance:second_factor→second_factor", "start_challenge"] },
  { name: "switch to another user's method → refused", from: flow("second_factor"), event: { type: "method_switched", methodId: "x", methods: [method("a"), method("x", { userId: "u2" })] }, error: "invalid_request" },
  { name: "switch to a pending method → refused", from: flow("second_factor"), event: { type: "method_switched", methodId: "p", methods: [method("p", { status: "pending" })] }, error: "invalid_request" },
  { name: "enrolment confirmed on a second-step flow → refused", from: flow("second_factor"), event: { type: "enrolment_confirmed", factor: "totp" }, error: "invalid_request" },
  { name: "a code on an enrolment flow → enrolment only", from: flow("enrolment_required"), event: { type: "code_verified", factor: "totp" }, error: "two_factor_enrolment_required" },
  { name: "a recovery code on an enrolment flow → enrolment only", from: flow("enrolment_required"), event: { type: "recovery_code_verified", codesLeft: 9, policy: "keep" }, error: "two_factor_enrolment_required" },
  { name: "acknowledging codes before enrolling → enrolment only", from: flow("enrolment_required"), event: { type: "recovery_codes_acknowledged" }, error: "two_factor_enrolment_required" },
  { name: "first method confirmed → codes shown, still no session", from: flow("enrolment_required"), event: { type: "enrolment_confirmed", factor: "totp" }, state: "recovery_codes_shown", effects: ["advance:enrolment_required→recovery_codes_shown"] },
  { name: "codes saved → completed and a new session", from: flow("recovery_codes_shown"), event: { type: "recovery_codes_acknowledged" }, state: "completed", effects: ["advance:recovery_codes_shown→completed", "session", "event:login.succeeded"] },
  { name: "a second confirmation after the codes → refused", from: flow("recovery_codes_shown"), event: { type: "enrolment_confirmed", factor: "sms" }, error: "two_factor_enrolment_required" },
  { name: "anything on a completed flow → expired", from: flow("completed"), event: { type: "code_verified", factor: "totp" }, error: "login_expired" },
  { name: "a right code after expiry → expired", from: flow("second_factor"), event: { type: "code_verified", factor: "totp" }, at: now + 1000, error: "login_expired" },
  { name: "enrolment after expiry → expired", from: flow("enrolment_required"), event: { type: "enrolment_confirmed", factor: "totp" }, at: now + 1000, error: "login_expired" },
  { name: "expired on an open flow → no flow, nothing done", from: flow("second_factor"), event: { type: "expired" }, state: null, effects: [] },
  { name: "no flow at all → expired", from: null, event: { type: "code_verified", factor: "totp" }, error: "login_expired" },
];

describe("login state machine", () => {
  for (const row of rows) {
    it(row.name, () => {
      const result = transition(row.from, row.event, row.at ?? now, policy);
      if (row.error) {
        assert.ok(!result.ok, `expected ${row.error}, got a transition`);
        assert.equal(result.code, row.error);
        return;
      }
      assert.ok(result.ok, `expected a transition, got ${result.ok ? "" : result.code}`);
      assert.equal(result.flow?.state ?? null, row.state === undefined ? null : row.state);
      assert.deepEqual(summary(result.effects as never), row.effects);
    });
  }

  it("a second step lasts the login TTL, a required enrolment the setup TTL; the deadline shown is the requirement's", () => {
    const second = transition(null, password([method("a")], none), now, policy) as { flow: LoginFlow };
    assert.equal(second.flow.expiresAt, now + 300_000);
    const enrol = transition(null, password([], past), now, policy) as { flow: LoginFlow };
    assert.equal(enrol.flow.expiresAt, now + 600_000);
    assert.equal(enrol.flow.methodId, null);
    const shown = transition(null, password([], later), now, policy) as { effects: { type: string; deadline?: number }[] };
    assert.equal(shown.effects.find((effect) => effect.type === "show_deadline")?.deadline, later.status === "required_later" ? later.deadline : -1);
  });

  it("every move of a stored flow names the state it was read in, and comes first", () => {
    for (const row of rows) {
      const result = transition(row.from, row.event, row.at ?? now, policy);
      if (!result.ok) continue;
      const index = result.effects.findIndex((effect) => effect.type === "advance_flow");
      if (index === -1) continue;
      assert.equal(index, 0, row.name);
      assert.equal((result.effects[0] as { from: string }).from, row.from!.state, row.name);
    }
  });
});
