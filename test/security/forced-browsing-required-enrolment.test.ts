/**
 * Threat: a user who must enrol (P1, after the date) passes the password step
 * and then skips enrolment: requests any other page or API route, presents the
 * pending login's token as a session, or tries the second-step routes. The
 * pending login grants nothing but the enrolment routes: pages redirect to
 * /login/enrol, the API answers 403 `two_factor_enrolment_required`, and no
 * session exists until the first method is confirmed and the codes are shown.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, seedUser, type TestApp } from "../helpers/runtime.js";

const day = 24 * 60 * 60 * 1000;

/** Every (method, full path) in Fastify's route tree, HEAD left out. */
function listRoutes(tree: string): { method: string; path: string }[] {
  const parents: string[] = [];
  const routes: { method: string; path: string }[] = [];
  for (const line of tree.split("\n")) {
    const match = /^([│ ]*)[└├]── (.+?) \(([^)]+)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (depth === 0 ? "" : parents[depth - 1]!) + match[2]!;
    parents[depth] = path;
    for (const method of match[3]!.split(", ")) if (method !== "HEAD") routes.push({ method, path });
  }
  return routes;
}

/** What a login that may only enrol is allowed to use, by design. */
function allowed(path: string): boolean {
  return (
    path.includes("*") ||
    path.startsWith("/login/enrol") ||
    path.startsWith("/api/login/enrol") ||
    path === "/logout" ||
    path === "/api/login" ||
    path === "/login" /* POST: logging in again (GET redirects to /login/enrol, checked below) */ ||
    // PR1: "Forgot password?" reads no login flow; a reset goes through the machine again (enrolment_required).
    path === "/login/forgot" ||
    path === "/login/reset" ||
    path.startsWith("/api/password-reset/") ||
    path === "/api/openapi.json" ||
    path.startsWith("/api/docs") ||
    path.startsWith("/assets/") ||
    path.startsWith("/dev/") ||
    // Issue 15: an app's sign-in. It finishes only on a full session and sends anything less to /login
    // (test/oidc/app-rules-and-step-up.test.ts); an unknown interaction is a 400 of the provider's own.
    path.startsWith("/oidc/interaction/") ||
    // Issue 15: the reverse proxy's question (nginx auth_request, Traefik, Caddy); it grants nothing itself and
    // refuses anything but a full session meeting the app's rule (test/http/forward-auth.test.ts).
    path === "/forward-auth"
  );
}

describe("security: forced browsing past a required enrolment", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function pendingEnrolment() {
    const { user, password } = await seedUser(t.deps, { policy: { requireTwoFactorFrom: t.clock.now() - day } });
    const browser = new FormClient(t.app);
    const response = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/login/enrol");
    return { user, password, browser, flowToken: browser.cookies.get("twostep_login")! };
  }

  it("sends every other page to /login/enrol and answers every other API route 403, on every route the app has", async () => {
    const { browser, flowToken, user } = await pendingEnrolment();
    const cookie = `twostep_login=${flowToken}`;
    const methodId = "00000000-0000-0000-0000-000000000000";
    const checked: string[] = [];
    for (const route of listRoutes(t.app.printRoutes({ commonPrefix: false }))) {
      if (allowed(route.path)) continue;
      const url = route.path.replace(/:methodId\b/g, methodId).replace(/:(id|userId|accountId)\b/g, "00000000-0000-4000-8000-000000000000");
      const api = url.startsWith("/api/");
      if (url.startsWith("/api/platform/")) {
        // The platform API takes API keys only (SECURITY 32): a flow id is no key.
        const response = await t.app.inject({ method: route.method as "GET", url, headers: { authorization: `Bearer ${flowToken}` }, remoteAddress: browser.clientAddress });
        assert.equal(response.statusCode, 401, `${route.method} ${url} → ${response.body}`);
        assert.equal(response.json().code, "api_key_required", `${route.method} ${url}`);
      } else if (api) {
        const payload: Record<string, unknown> = {};
        const send = () =>
          t.app.inject({ method: route.method as "GET", url, headers: { authorization: `Bearer ${flowToken}` }, remoteAddress: browser.clientAddress, ...(route.method === "GET" ? {} : { payload }) });
        let response = await send();
        // Fill in what the schema asks for until validation passes: then only the gate is left.
        for (let i = 0; i < 8 && response.statusCode === 400 && response.json().field; i++) {
          const { field, code } = response.json() as { field: string; code: string };
          payload[field] =
            field === "flowId" ? flowToken : field === "credential" ? { id: "AAAA", rawId: "AAAA", type: "public-key", response: {} } : code === "invalid_recovery_code_format" ? "ABCD-EFGH-JKMN-PQRS" : "123456";
          response = await send();
        }
        assert.equal(response.statusCode, 403, `${route.method} ${url} → ${response.body}`);
        assert.equal(response.json().code, "two_factor_enrolment_required", `${route.method} ${url}`);
      } else if (route.method === "GET") {
        const response = await t.app.inject({ method: "GET", url, headers: { cookie }, remoteAddress: browser.clientAddress });
        assert.equal(response.statusCode, 303, `GET ${url}`);
        assert.equal(response.headers.location, "/login/enrol", `GET ${url}`);
      } else {
        const response = await browser.post(url, { code: "123456" }, { csrf: await browser.csrfFor("/login/enrol") });
        assert.ok(response.statusCode === 400 || (response.statusCode === 303 && response.headers.location === "/login/enrol"), `POST ${url} → ${response.statusCode} ${response.headers.location}`);
      }
      assert.equal(browser.cookies.has("twostep_session"), false);
      checked.push(`${route.method} ${route.path}`);
    }
    assert.ok(checked.length >= 25, `swept ${checked.length} routes`);
    for (const must of ["GET /settings/security", "GET /login/two-factor", "POST /api/login/second-factor", "GET /api/me/security", "POST /api/me/two-factor/totp"]) {
      assert.ok(checked.includes(must), must);
    }
    // Nothing was set up or issued by any of it.
    assert.equal((await t.deps.store.methods.listMethods(user.id)).filter((method) => method.status === "active").length, 0);
  });

  it("does not take the flow token as a session, and a session cookie made of it is ignored", async () => {
    const { flowToken } = await pendingEnrolment();
    for (const cookie of [`twostep_session=${flowToken}`, `twostep_session=${flowToken}; twostep_login=${flowToken}; mfa_verified=true`]) {
      const response = await t.app.inject({ method: "GET", url: "/settings/security?twoFactor=done", headers: { cookie } });
      assert.equal(response.statusCode, 303);
      assert.notEqual(response.headers.location, undefined);
      assert.ok(String(response.headers.location).startsWith("/login"));
    }
  });

  it("gives no session for the codes page alone: 'I have saved my codes' before a method is confirmed is refused", async () => {
    const { browser } = await pendingEnrolment();
    const response = await browser.post("/login/enrol/continue", {}, { csrf: await browser.csrfFor("/login/enrol") });
    assert.equal(response.headers.location, "/login/enrol");
    assert.equal(browser.cookies.has("twostep_session"), false);
  });

  it("a login with a second-step flow cannot use the enrolment routes to add a method", async () => {
    const { user, password } = await seedUser(t.deps);
    const api = await t.app.inject({ method: "POST", url: "/api/login", payload: { email: user.email, password } });
    const token = api.json().sessionToken as string;
    // A session token is not a flow: the enrolment routes refuse it.
    const response = await t.app.inject({ method: "POST", url: "/api/login/enrol/totp", payload: { flowId: token } });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, "login_expired");
  });
});
