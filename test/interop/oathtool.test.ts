import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { base32nopad } from "@scure/base";
import { generateTotp, totpStep } from "../../src/domain/otp/totp.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { hasOathtool, oathtoolTotp, oathtoolTotpHex } from "./tools.js";

const skip = hasOathtool ? false : "oathtool is not installed (Debian package oathtool)";

/**
 * M1 against an independent implementation: Debian's oathtool (OATH Toolkit)
 * stands in for the user's authenticator app. Its codes must enrol and log in,
 * and ours must equal its for the RFC 6238 vectors and random keys.
 */
describe("interop: oathtool as the authenticator app", { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t?.close());

  async function api(method: "GET" | "POST", url: string, body?: object, token?: string) {
    const response = await t.app.inject({
      method,
      url,
      ...(body ? { payload: body } : {}),
      headers: token ? { authorization: `Bearer ${token}` } : {},
      remoteAddress: "203.0.113.20",
    });
    return { status: response.statusCode, body: response.json() as Record<string, unknown> };
  }

  it("enrols with a code oathtool computes at the real time, then logs in with a later one", async () => {
    // The server runs at the real time in this test (a few ms behind at each step).
    t.clock.current = Date.now();
    const { user, password } = await seedUser(t.deps, { kind: "customer" });

    let response = await api("POST", "/api/login", { email: user.email, password });
    assert.equal(response.status, 200);
    assert.equal(response.body.status, "authenticated");
    const firstToken = String(response.body.sessionToken);

    response = await api("POST", "/api/me/two-factor/totp", { password }, firstToken);
    assert.equal(response.status, 200);
    const key = String(response.body.key);
    const methodId = String(response.body.methodId);
    assert.match(key, /^[A-Z2-7]{32}$/, "160-bit key in unpadded base32");
    assert.equal(String(response.body.keyGrouped).replace(/ /g, ""), key);

    // oathtool without --now uses the machine's real time, like a phone. The server
    // clock is set to the real time too; if a 30 s boundary passes while oathtool
    // runs, try again, so the code's step is known exactly (bounded: 3 tries).
    let enrolCode = "";
    let enrolTime = 0;
    for (let attempt = 0; attempt < 3 && !enrolCode; attempt++) {
      const before = Date.now();
      const code = oathtoolTotp(key);
      const afterwards = Date.now();
      if (totpStep(before) === totpStep(afterwards)) {
        enrolCode = code;
        enrolTime = afterwards;
      }
    }
    assert.match(enrolCode, /^\d{6}$/, "oathtool gave a 6-digit code within one time step");
    assert.equal(enrolCode, generateTotp(base32nopad.decode(key), enrolTime), "oathtool and twostep agree at the real time");
    t.clock.current = enrolTime;

    response = await api("POST", `/api/me/two-factor/totp/${methodId}/confirm`, { code: enrolCode }, firstToken);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.enabled, true);
    assert.equal((response.body.recoveryCodes as string[]).length, 10);

    // Step 1 again: now a second step is required.
    response = await api("POST", "/api/login", { email: user.email, password });
    assert.equal(response.status, 200);
    assert.equal(response.body.status, "second_factor_required");
    const flowId = String(response.body.flowId);

    // The code that enrolled cannot log in: its time step was used (replay, L3).
    response = await api("POST", "/api/login/second-factor", { flowId, code: enrolCode });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, "invalid_code");

    // 30 s later, for the server and for oathtool alike: a fresh code from the next step.
    t.clock.advance(30);
    const loginCode = oathtoolTotp(key, t.clock.now());
    assert.notEqual(totpStep(t.clock.now()), totpStep(enrolTime));
    assert.equal(loginCode, generateTotp(base32nopad.decode(key), t.clock.now()));
    response = await api("POST", "/api/login/second-factor", { flowId, code: loginCode });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.status, "authenticated");
    const secondToken = String(response.body.sessionToken);

    response = await api("GET", "/api/me/security", undefined, secondToken);
    assert.equal(response.status, 200);
    assert.equal(response.body.twoFactorEnabled, true);
    const methods = response.body.methods as { type: string; lastUsedAt: string | null }[];
    assert.equal(methods.length, 1);
    assert.equal(methods[0]!.type, "totp");
    assert.equal(methods[0]!.lastUsedAt, new Date(t.clock.now()).toISOString());

    // And that login code cannot be used a second time either.
    response = await api("POST", "/api/login", { email: user.email, password });
    response = await api("POST", "/api/login/second-factor", { flowId: String(response.body.flowId), code: loginCode });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, "invalid_code");
  });

  it("matches oathtool on the RFC 6238 appendix B SHA-1 vectors (8 digits)", () => {
    const rfcKey = Buffer.from("12345678901234567890", "ascii");
    const vectors: [number, string][] = [
      [59, "94287082"],
      [1111111109, "07081804"],
      [1111111111, "14050471"],
      [1234567890, "89005924"],
      [2000000000, "69279037"],
      [20000000000, "65353130"],
    ];
    const eightDigits = { digits: 8, periodInSeconds: 30, algorithm: "SHA1" as const };
    for (const [seconds, expected] of vectors) {
      const at = seconds * 1000;
      assert.equal(oathtoolTotpHex(rfcKey.toString("hex"), at, ["--digits=8"]), expected, `oathtool at T=${seconds}`);
      assert.equal(generateTotp(rfcKey, at, eightDigits), expected, `twostep at T=${seconds}`);
    }
  });

  it("matches oathtool for random 160-bit keys at many times (6 digits, 30 s)", () => {
    const times = [0, 29_999, 30_000, 1_111_111_109_000, Date.UTC(2026, 10, 22, 12, 0, 0), Date.UTC(2038, 0, 19, 3, 14, 8), Date.now()];
    for (let round = 0; round < 4; round++) {
      const key = t.deps.randomBytes(20);
      const keyBase32 = base32nopad.encode(key);
      for (const at of times) {
        assert.equal(oathtoolTotp(keyBase32, at), generateTotp(key, at), `key ${round}, time ${new Date(at).toISOString()}`);
      }
    }
  });
});
