/**
 * Threat: account and 2FA enumeration at the password step. If a wrong email
 * and a wrong password answer differently (status, body, cookies, or the work
 * done), an attacker learns which accounts exist; if a 2FA user's wrong
 * password answers differently from anyone else's, the attacker learns who
 * has 2FA and aims at the accounts without it. twostep gives one answer
 * ("Incorrect email or password."), does one password hash either way, and
 * reveals the second step only after a right password.
 * Covers L1 ("nothing reveals whether an account exists or has 2FA before the
 * password is right").
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { FormClient } from "../helpers/browser-client.js";
import { apiPost, enrolTotp } from "../helpers/enrol.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

describe("security: the password step reveals nothing", () => {
  let t: TestApp;
  let plainEmail: string;
  let twoFactorEmail: string;
  const missingEmail = "nobody-here@example.test";

  before(async () => {
    t = await createTestApp();
    plainEmail = (await seedUser(t.deps)).user.email;
    twoFactorEmail = (await enrolTotp(t.deps)).user.email;
  });
  after(() => t.close());

  /** Counts password hash verifications, the expensive part whose absence would show in timing. */
  async function countingVerifications<T>(work: () => Promise<T>): Promise<{ result: T; verifications: number }> {
    const original = t.deps.passwords.verify;
    let verifications = 0;
    t.deps.passwords.verify = (hash, password) => {
      verifications++;
      return original(hash, password);
    };
    try {
      return { result: await work(), verifications };
    } finally {
      t.deps.passwords.verify = original;
    }
  }

  it("answers the API identically for an unknown email, a wrong password, and a 2FA user's wrong password", async () => {
    const cases = [
      { name: "unknown email", email: missingEmail },
      { name: "wrong password, no 2FA", email: plainEmail },
      { name: "wrong password, 2FA on", email: twoFactorEmail },
      { name: "unknown email, other case", email: missingEmail.toUpperCase() },
    ];
    const answers: { name: string; status: number; body: string; cookies: unknown; verifications: number }[] = [];
    for (const entry of cases) {
      const { result, verifications } = await countingVerifications(() =>
        apiPost(t.app, "/api/login", { email: entry.email, password: "not the password at all" }, { address: "198.51.100.60" }),
      );
      answers.push({ name: entry.name, status: result.statusCode, body: result.body, cookies: result.headers["set-cookie"], verifications });
    }
    for (const answer of answers) {
      assert.equal(answer.status, 401, answer.name);
      assert.equal(answer.body, answers[0]!.body, `${answer.name}: body differs`);
      assert.equal(answer.cookies, undefined, `${answer.name}: sets a cookie`);
      assert.equal(answer.verifications, 1, `${answer.name}: one password hash either way`);
    }
    assert.deepEqual(JSON.parse(answers[0]!.body), { code: "invalid_credentials", message: "Incorrect email or password." });
    assert.doesNotMatch(answers[2]!.body, /two-factor|second|flow|method|totp/i);
  });

  it("answers the login form identically for the same three cases", async () => {
    const normalized: { name: string; status: number; page: string; cookieNames: string[] }[] = [];
    for (const [name, email] of [
      ["unknown email", missingEmail],
      ["wrong password, no 2FA", plainEmail],
      ["wrong password, 2FA on", twoFactorEmail],
    ] as const) {
      const browser = new FormClient(t.app, "203.0.113.60");
      const response: LightMyRequestResponse = await browser.post("/login", { email, password: "not the password at all" }, { csrfFrom: "/login" });
      normalized.push({
        name,
        status: response.statusCode,
        // The page echoes the email typed and carries a fresh CSRF token; everything else must match.
        page: response.body.replaceAll(email, "EMAIL").replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value="CSRF"'),
        cookieNames: [...browser.cookies.keys()].sort(),
      });
    }
    for (const answer of normalized) {
      assert.equal(answer.status, 401, answer.name);
      assert.equal(answer.page, normalized[0]!.page, `${answer.name}: page differs`);
      assert.deepEqual(answer.cookieNames, ["twostep_csrf"], `${answer.name}: no login-flow or session cookie`);
    }
    assert.match(normalized[0]!.page, /Incorrect email or password\./);
    assert.doesNotMatch(normalized[2]!.page, /authenticator|two-factor code|recovery code/i);
  });

  it("reveals the second step only after the right password", async () => {
    const enrolled = await enrolTotp(t.deps);
    const wrong = await apiPost(t.app, "/api/login", { email: enrolled.user.email, password: "wrong wrong wrong" });
    assert.equal(wrong.statusCode, 401);
    const right = await apiPost(t.app, "/api/login", { email: enrolled.user.email, password: enrolled.password });
    assert.equal(right.statusCode, 200);
    assert.equal(right.json().status, "second_factor_required");
  });
});
