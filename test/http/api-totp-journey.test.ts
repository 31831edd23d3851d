import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient, assertApiError, listRoutes, nextCode, wrongCodeFor, type Json } from "../helpers/api-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";
import { codeFor } from "../helpers/totp.js";

/**
 * The page journey again through the JSON API (L6: every surface enforces the
 * same second step): M1 enrolment, L1–L3 login with a code, R1/R5 `keep` login
 * with a recovery code, R3 regeneration (password or code; the old set dies at
 * once), D1 disable; R5 `disable` and D1 `rotatePasswordOnDisable` policies;
 * SECURITY 28 (a flowId is not a session) and 18 (the key is not re-fetchable);
 * and the OpenAPI document listing every route.
 */
describe("api: authenticator-app journey", () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await createTestApp();
    api = new ApiClient(t.app);
  });
  after(() => t.close());

  it("enrols, logs in with a code and a recovery code, regenerates codes, and disables", async () => {
    const { user, password } = await seedUser(t.deps, { kind: "customer" });

    // L1: no 2FA yet, so the password alone gives a session.
    let token = await api.sessionFor(user.email, password);
    let response = await api.get("/api/me/security", token);
    assert.equal(response.status, 200);
    assert.equal(response.headers["cache-control"], "no-store");
    assert.equal(response.body.user.email, user.email);
    assert.equal(response.body.twoFactorEnabled, false);
    assert.deepEqual(response.body.methods, []);

    // M1: password again → key, grouped key, otpauth URI, QR code.
    assertApiError(await api.post("/api/me/two-factor/totp", { password: "not the password" }, token), 401, "password_incorrect", "password");
    response = await api.post("/api/me/two-factor/totp", { password }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.headers["cache-control"], "no-store");
    const { methodId, key } = response.body;
    assert.match(key, /^[A-Z2-7]{32}$/, "160 bits of base32, no padding");
    assert.equal(response.body.keyGrouped.replace(/ /g, ""), key);
    const uri = new URL(response.body.otpauthUri);
    assert.equal(uri.protocol, "otpauth:");
    assert.equal(uri.host, "totp");
    assert.equal(decodeURIComponent(uri.pathname), `/twostep:${user.email}`);
    assert.equal(uri.searchParams.get("secret"), key);
    assert.equal(uri.searchParams.get("issuer"), "twostep");
    assert.match(response.body.qrCodePng, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const png = Buffer.from(response.body.qrCodePng.split(",")[1], "base64");
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a real PNG");
    assert.ok(Date.parse(response.body.expiresAt) > t.clock.now());

    // Not enabled until a code is entered (SECURITY 16); a wrong code leaves it pending.
    assertApiError(await api.post(`/api/me/two-factor/totp/${methodId}/confirm`, { code: wrongCodeFor(key, t.clock.now()) }, token), 401, "invalid_code", "code");
    assert.equal((await api.get("/api/me/security", token)).body.twoFactorEnabled, false);
    response = await api.post(`/api/me/two-factor/totp/${methodId}/confirm`, { code: codeFor(key, t.clock.now()) }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.enabled, true);
    const firstCodes: string[] = response.body.recoveryCodes;
    assert.equal(firstCodes.length, 10, "R1: ten recovery codes");
    assert.equal(new Set(firstCodes).size, 10);
    for (const code of firstCodes) assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);

    response = await api.get("/api/me/security", token);
    assert.equal(response.body.twoFactorEnabled, true);
    assert.equal(response.body.methods.length, 1);
    assert.deepEqual(
      { id: response.body.methods[0].id, type: response.body.methods[0].type, isDefault: response.body.methods[0].isDefault },
      { id: methodId, type: "totp", isDefault: true },
    );
    assert.deepEqual(response.body.recoveryCodes, { unused: 10, total: 10, fewLeft: false });
    assert.ok(!JSON.stringify(response.body).includes(key), "SECURITY 18: the key is shown during enrolment only");
    // The setup cannot be confirmed again, so the key cannot be fetched again either.
    assertApiError(await api.post(`/api/me/two-factor/totp/${methodId}/confirm`, { code: nextCode(key, t.clock) }, token), 410, "enrolment_expired");

    response = await api.post("/api/logout", undefined, token);
    assert.equal(response.status, 204);
    assertApiError(await api.get("/api/me/security", token), 401, "not_authenticated");

    // L1/L3: the password now leads to the second step, never to a session (L5).
    response = await api.post("/api/login", { email: user.email, password });
    assert.equal(response.status, 200);
    assert.equal(response.body.status, "second_factor_required");
    assert.equal(response.body.sessionToken, undefined);
    assert.equal(response.body.currentMethodId, methodId);
    assert.deepEqual(
      response.body.methods.map((method: Json) => method.id),
      [methodId],
    );
    let flowId: string = response.body.flowId;
    assertApiError(await api.get("/api/me/security", flowId), 401, "not_authenticated");
    response = await api.post("/api/login/second-factor", { flowId, code: nextCode(key, t.clock) });
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.status, "authenticated");
    assert.equal(response.body.recovery, undefined);
    token = response.body.sessionToken;
    assert.equal((await api.get("/api/me/security", token)).body.twoFactorEnabled, true);
    // The flow is single use.
    assertApiError(await api.post("/api/login/second-factor", { flowId, code: nextCode(key, t.clock) }), 401, "login_expired");
    assert.equal((await api.post("/api/logout", undefined, token)).status, 204);

    // R5 `keep` (default): a recovery code logs in, 2FA stays, a reset is recommended.
    flowId = await api.flowFor(user.email, password);
    response = await api.post("/api/login/recovery-code", { flowId, code: firstCodes[0]!.toLowerCase().replace(/-/g, " ") });
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.recovery.policy, "keep");
    assert.equal(response.body.recovery.codesLeft, 9);
    assert.match(response.body.recovery.message, /reset two-factor authentication/);
    token = response.body.sessionToken;
    response = await api.get("/api/me/security", token);
    assert.equal(response.body.twoFactorEnabled, true);
    assert.equal(response.body.recommendReset, true);
    assert.equal(response.body.recoveryCodes.unused, 9);
    // R2: that code is spent.
    flowId = await api.flowFor(user.email, password);
    assertApiError(await api.post("/api/login/recovery-code", { flowId, code: firstCodes[0] }), 401, "invalid_recovery_code", "code");

    // R3: regenerate with the password; the whole old set dies at once.
    assertApiError(await api.post("/api/me/recovery-codes", { password: "not the password" }, token), 401, "password_incorrect", "password");
    response = await api.post("/api/me/recovery-codes", { password }, token);
    assert.equal(response.status, 200, response.raw.body);
    const secondCodes: string[] = response.body.recoveryCodes;
    assert.equal(secondCodes.length, 10);
    assert.equal(secondCodes.filter((code) => firstCodes.includes(code)).length, 0);
    assert.deepEqual((await api.get("/api/me/security", token)).body.recoveryCodes, { unused: 10, total: 10, fewLeft: false });
    assertApiError(await api.post("/api/login/recovery-code", { flowId, code: firstCodes[1] }), 401, "invalid_recovery_code");

    // R3: regenerate with a current code instead of the password.
    assertApiError(await api.post("/api/me/recovery-codes", { code: wrongCodeFor(key, t.clock.now()) }, token), 401, "invalid_code", "code");
    response = await api.post("/api/me/recovery-codes", { code: nextCode(key, t.clock) }, token);
    assert.equal(response.status, 200, response.raw.body);
    const thirdCodes: string[] = response.body.recoveryCodes;
    assert.equal(thirdCodes.length, 10);
    assertApiError(await api.post("/api/login/recovery-code", { flowId, code: secondCodes[0] }), 401, "invalid_recovery_code");
    response = await api.post("/api/login/recovery-code", { flowId, code: thirdCodes[0] });
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.recovery.codesLeft, 9);
    token = response.body.sessionToken;

    // D1: the password turns 2FA off; the password alone logs in again.
    assertApiError(await api.post("/api/me/two-factor/disable", { password: "not the password" }, token), 401, "password_incorrect", "password");
    response = await api.post("/api/me/two-factor/disable", { password }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.deepEqual(response.body, { disabled: true, passwordChanged: false });
    response = await api.get("/api/me/security", token);
    assert.equal(response.body.twoFactorEnabled, false);
    assert.deepEqual(response.body.methods, []);
    assert.deepEqual(response.body.recoveryCodes, { unused: 0, total: 0, fewLeft: false });
    assertApiError(await api.post("/api/me/two-factor/disable", { password }, token), 409, "two_factor_not_enabled");
    assertApiError(await api.post("/api/me/recovery-codes", { password }, token), 409, "two_factor_not_enabled");
    await api.sessionFor(user.email, password);

    // A4: the journey is in the user's own event log.
    const events: string[] = (await api.get("/api/me/events", token)).body.events.map((event: Json) => event.type);
    for (const type of ["two_factor.enabled", "login.succeeded", "login.recovery_code_used", "recovery_codes.generated", "two_factor.disabled"]) {
      assert.ok(events.includes(type), `event ${type} is logged`);
    }
  });

  it("R5 `disable`: a recovery-code login turns 2FA off and says so", async () => {
    const { user, password } = await seedUser(t.deps, { policy: { recoveryCodePolicy: "disable" } });
    let token = await api.sessionFor(user.email, password);
    assert.equal((await api.get("/api/me/security", token)).body.policy.recoveryCodePolicy, "disable");
    const { key, recoveryCodes } = await api.enrolTotp(token, password, t.clock);

    const flowId = await api.flowFor(user.email, password);
    const response = await api.post("/api/login/recovery-code", { flowId, code: recoveryCodes[3] });
    assert.equal(response.status, 200, response.raw.body);
    assert.equal(response.body.recovery.policy, "disable");
    assert.equal(response.body.recovery.codesLeft, 0);
    assert.match(response.body.recovery.message, /two-factor authentication is now disabled/);
    token = response.body.sessionToken;

    const security = await api.get("/api/me/security", token);
    assert.equal(security.body.twoFactorEnabled, false);
    assert.deepEqual(security.body.methods, []);
    assert.deepEqual(security.body.recoveryCodes, { unused: 0, total: 0, fewLeft: false });
    // Every method and code is gone: the password alone logs in, and setting up again makes a new key.
    await api.sessionFor(user.email, password);
    const again = await api.post("/api/me/two-factor/totp", { password }, token);
    assert.equal(again.status, 200, again.raw.body);
    assert.notEqual(again.body.key, key);
  });

  it("D1 `rotatePasswordOnDisable`: disabling needs a new password, which replaces the old one", async () => {
    const { user, password } = await seedUser(t.deps, { policy: { rotatePasswordOnDisable: true } });
    const token = await api.sessionFor(user.email, password);
    assert.equal((await api.get("/api/me/security", token)).body.policy.rotatePasswordOnDisable, true);
    await api.enrolTotp(token, password, t.clock);

    assertApiError(await api.post("/api/me/two-factor/disable", { password }, token), 400, "password_too_short", "newPassword");
    assertApiError(await api.post("/api/me/two-factor/disable", { password, newPassword: "short" }, token), 400, "password_too_short", "newPassword");
    assertApiError(await api.post("/api/me/two-factor/disable", { password: "not the password", newPassword: "a brand new passphrase" }, token), 401, "password_incorrect", "password");
    assert.equal((await api.get("/api/me/security", token)).body.twoFactorEnabled, true, "a refused disable changes nothing");

    const newPassword = "a brand new passphrase";
    const response = await api.post("/api/me/two-factor/disable", { password, newPassword }, token);
    assert.equal(response.status, 200, response.raw.body);
    assert.deepEqual(response.body, { disabled: true, passwordChanged: true });
    assert.equal((await api.get("/api/me/security", token)).status, 200, "the session that disabled stays");

    assertApiError(await api.post("/api/login", { email: user.email, password }), 401, "invalid_credentials");
    const fresh = await api.sessionFor(user.email, newPassword);
    assert.equal((await api.get("/api/me/security", fresh)).body.twoFactorEnabled, false);
  });

  it("documents every API route in OpenAPI 3 and serves the docs page", async () => {
    const response = await api.get("/api/openapi.json");
    assert.equal(response.status, 200);
    const document = response.body;
    assert.match(document.openapi, /^3\.\d+\.\d+$/);
    assert.equal(typeof document.info.title, "string");
    assert.equal(typeof document.info.version, "string");
    assert.equal(document.components.securitySchemes.session.type, "http");
    assert.equal(document.components.securitySchemes.session.scheme, "bearer");

    const documented = Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // The routes the app really serves under /api, less the docs themselves.
    const served = listRoutes(t.app)
      .filter((route) => route.url.startsWith("/api/") && !route.url.startsWith("/api/docs") && route.url !== "/api/openapi.json")
      .map((route) => `${route.method} ${route.url.replace(/:(\w+)/g, "{$1}")}`);
    assert.ok(served.length >= 11, `found the API routes: ${served.join(", ")}`);
    assert.deepEqual([...documented].sort(), [...served].sort());

    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        assert.ok(operation.summary, `${name} has a summary`);
        const statuses = Object.keys(operation.responses ?? {});
        assert.ok(statuses.some((status) => status.startsWith("2")), `${name} documents its success`);
        assert.ok(statuses.some((status) => status.startsWith("4")), `${name} documents its errors`);
        // Bodiless actions (log out, resend, make default, send a code) take no JSON; every other POST does.
        const bodiless = /\/(logout|default|send-code|approve|deactivate|reactivate)$|\/sms\/\{methodId\}\/resend$|\/step-up\/options$/.test(path) || path.startsWith("/api/storefront/");
        if (method === "post" && !bodiless) assert.ok(operation.requestBody?.content?.["application/json"], `${name} takes JSON`);
        const needsSession = path.startsWith("/api/me/") || path.startsWith("/api/admin/") || path.startsWith("/api/support/") || path.startsWith("/api/storefront/") || path.startsWith("/api/v1/") || path === "/api/logout";
        // The platform API takes API keys, never a session (SECURITY 32).
        if (path.startsWith("/api/platform/")) assert.ok(operation.security?.some((entry: Json) => "apiKey" in entry), `${name} takes an API key`);
        assert.equal(Boolean(operation.security?.some((entry: Json) => "session" in entry)), needsSession, `${name} security`);
      }
    }

    // The Swagger UI page, and the scripts and styles it links to.
    let docs = await t.app.inject({ method: "GET", url: "/api/docs" });
    for (let hops = 0; docs.statusCode >= 300 && docs.statusCode < 400 && hops < 5; hops++) {
      docs = await t.app.inject({ method: "GET", url: new URL(String(docs.headers.location), "http://localhost/api/docs").pathname });
    }
    assert.equal(docs.statusCode, 200);
    assert.match(String(docs.headers["content-type"]), /^text\/html/);
    assert.match(docs.body, /swagger-ui/i);
    const assets = [...docs.body.matchAll(/(?:href|src)="([^"]+)"/g)].map((match) => new URL(match[1]!, "http://localhost/api/docs").pathname);
    assert.ok(assets.length > 0);
    for (const asset of assets) assert.equal((await t.app.inject({ method: "GET", url: asset })).statusCode, 200, `${asset} loads`);
    assert.equal((await t.app.inject({ method: "GET", url: "/api/docs/json" })).json().openapi, document.openapi);
  });
});
