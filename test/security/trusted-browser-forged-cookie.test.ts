/**
 * Threat: a forged or tampered trusted-browser cookie. An attacker who
 * knows the password makes up a token, changes a character of a real one,
 * sends the stored hash (listed by the API as the browser's id) or junk. Only
 * the exact token whose SHA-256 is stored counts; anything else is an
 * ordinary login with the second step, never a 500 (L7).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../helpers/api-client.js";
import { enrolTotp } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";
import { loginStatusWith, rememberThroughApi } from "../helpers/trusted-browser.js";

describe("security: a forged or tampered trusted-browser cookie", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it("asks for the second step for anything but the real token", async () => {
    const enrolled = await enrolTotp(t.deps, { kind: "customer" });
    const { token, sessionToken } = await rememberThroughApi(t.app, enrolled, t.clock);
    const [listed] = (await new ApiClient(t.app).get("/api/me/browsers", sessionToken)).body.browsers;
    const flipped = `${token.slice(0, 10)}${token[10] === "A" ? "B" : "A"}${token.slice(11)}`;
    const forged = [randomBytes(32).toString("base64url"), flipped, listed.id, `${token}x`, token.slice(0, -1), "", "%00", "x".repeat(4000), `${token};${token}`];
    for (const value of forged) {
      assert.equal(await loginStatusWith(t.app, enrolled, encodeURIComponent(value)), "second_factor_required", `cookie ${value.slice(0, 20)}`);
    }
    assert.equal(await loginStatusWith(t.app, enrolled, token), "authenticated", "the real one still works");
  });
});
