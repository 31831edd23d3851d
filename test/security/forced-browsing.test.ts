/**
 * Threat: forced browsing past the 2FA page. After the right password the
 * attacker skips the code form and requests a settings page or API route
 * directly, or sets a client-side flag (a cookie, a query parameter, a
 * header) claiming the second step is done, or presents the pending login's
 * token as if it were a session. twostep issues a session only after the
 * second step; the pending login is a separate server-side flow that grants
 * nothing else. Covers SECURITY 28, L5, L6 and the "forced browsing" and
 * "client-side flag" bypasses.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { FormClient } from "../helpers/browser-client.js";
import { apiGet, apiPost, apiStartLogin, enrolTotp } from "../helpers/enrol.js";
import { createTestApp, type TestApp } from "../helpers/runtime.js";

const settingsPages = ["/", "/settings/security", "/settings/recovery-codes", "/settings/two-factor/disable", "/settings/two-factor/setup"];
const flagQuery = "?twoFactor=done&mfa=1&verified=true&skip2fa=1&step=2";
const flagCookies = "two_factor=verified; mfa_verified=true; twostep_2fa=1; twostep_verified=1; aal=2";

/** Routes a visitor without a session may use by design: the login steps, log out, the API docs. */
function isPublic(path: string): boolean {
  return (
    path === "/" /* redirects to /login; checked above */ ||
    path.includes("*") ||
    path === "/login" ||
    path.startsWith("/login/") ||
    path === "/logout" ||
    path === "/api/login" ||
    path.startsWith("/api/login/") ||
    // PR1: asking for and using a reset link needs no session (the link's token is the proof).
    path.startsWith("/api/password-reset/") ||
    path === "/api/openapi.json" ||
    path.startsWith("/api/docs") ||
    path.startsWith("/assets/") ||
    // Development-only (the SMS outbox); not registered in production, see no-secrets-in-responses-and-logs.
    path.startsWith("/dev/") ||
    // Issue 15: an app's sign-in. It finishes only on a full session and sends anything less to /login
    // (test/oidc/app-rules-and-step-up.test.ts); an unknown interaction is a 400 of the provider's own.
    path.startsWith("/oidc/interaction/") ||
    // Issue 15: the reverse proxy's question (nginx auth_request, Traefik, Caddy); it grants nothing itself and
    // refuses anything but a full session meeting the app's rule (test/http/forward-auth.test.ts).
    path === "/forward-auth"
  );
}

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

describe("security: forced browsing past the second step", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function pendingBrowser() {
    const enrolled = await enrolTotp(t.deps);
    const browser = new FormClient(t.app);
    const response = await browser.post("/login", { email: enrolled.user.email, password: enrolled.password }, { csrfFrom: "/login" });
    assert.equal(response.headers.location, "/login/two-factor");
    assert.ok(browser.cookies.has("twostep_login"));
    assert.equal(browser.cookies.has("twostep_session"), false, "no session before the second step");
    return { enrolled, browser };
  }

  function assertRefusedPage(response: { statusCode: number; headers: Record<string, unknown>; body: string }, what: string) {
    assert.equal(response.statusCode, 303, `${what} → ${response.statusCode}`);
    assert.equal(response.headers.location, "/login", what);
  }

  it("redirects every settings page to /login while only the password step is done", async () => {
    const { browser, enrolled } = await pendingBrowser();
    for (const url of [...settingsPages, `/settings/two-factor/setup/${enrolled.methodId}`, `/settings/two-factor/setup/${randomUUID()}`]) {
      assertRefusedPage(await browser.get(url), `GET ${url}`);
    }
  });

  it("refuses every settings form post while only the password step is done", async () => {
    const { browser, enrolled } = await pendingBrowser();
    const csrf = await browser.csrfFor("/login/two-factor");
    const posts: [string, Record<string, string>][] = [
      ["/settings/recovery-codes", { password: enrolled.password }],
      ["/settings/two-factor/disable", { password: enrolled.password }],
      ["/settings/two-factor/setup", { password: enrolled.password }],
      [`/settings/two-factor/setup/${enrolled.methodId}`, { code: "123456" }],
    ];
    for (const [url, fields] of posts) assertRefusedPage(await browser.post(url, fields, { csrf }), `POST ${url}`);
    // Nothing changed: 2FA is still on with all ten codes.
    const set = await t.deps.store.codes.findRecoveryCodes(enrolled.user.id);
    assert.equal(set!.codes.length, 10);
    assert.equal((await t.deps.store.methods.listMethods(enrolled.user.id)).filter((method) => method.status === "active").length, 1);
  });

  it("ignores client-side flags claiming the second step is done", async () => {
    const { browser } = await pendingBrowser();
    const flowToken = browser.cookies.get("twostep_login")!;
    const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    for (const url of settingsPages) {
      const variants = [
        { url: url + flagQuery, cookie },
        { url, cookie: `${cookie}; ${flagCookies}` },
        // The pending login's own token presented as a session cookie.
        { url, cookie: `${cookie}; twostep_session=${flowToken}` },
        { url, cookie: `twostep_session=${flowToken}` },
      ];
      for (const variant of variants) {
        const response = await t.app.inject({
          method: "GET",
          url: variant.url,
          headers: { cookie: variant.cookie, "x-two-factor-verified": "true", "x-mfa": "1" },
          remoteAddress: browser.clientAddress,
        });
        assertRefusedPage(response, `GET ${variant.url} with ${variant.cookie.slice(-60)}`);
      }
    }
    // A flag in the second-step form itself is refused, not obeyed.
    const response = await browser.post("/login/two-factor", { code: "", skip: "1" }, { csrfFrom: "/login/two-factor" });
    assert.equal(response.statusCode, 400);
    assert.equal(browser.cookies.has("twostep_session"), false);
  });

  it("refuses every settings API route with the pending login's flowId, with flags, or with nothing", async () => {
    const enrolled = await enrolTotp(t.deps);
    const flowId = await apiStartLogin(t.app, { email: enrolled.user.email, password: enrolled.password });
    const routes: { method: "GET" | "POST"; url: string; payload?: object }[] = [
      { method: "GET", url: "/api/me/security" },
      { method: "GET", url: "/api/me/events" },
      { method: "POST", url: "/api/me/two-factor/totp", payload: { password: enrolled.password } },
      { method: "POST", url: `/api/me/two-factor/totp/${enrolled.methodId}/confirm`, payload: { code: "123456" } },
      { method: "POST", url: "/api/me/recovery-codes", payload: { password: enrolled.password } },
      { method: "POST", url: "/api/me/two-factor/disable", payload: { password: enrolled.password } },
      { method: "POST", url: "/api/logout", payload: {} },
    ];
    const credentials = [
      { authorization: `Bearer ${flowId}` },
      { authorization: `Bearer ${flowId}`, "x-two-factor-verified": "true", cookie: `twostep_session=${flowId}; ${flagCookies}` },
      { cookie: `twostep_session=${flowId}` },
      {},
    ];
    for (const route of routes) {
      for (const headers of credentials) {
        const response = await t.app.inject({
          method: route.method,
          url: route.url + (route.method === "GET" ? flagQuery : ""),
          headers,
          remoteAddress: "198.51.100.30",
          ...(route.payload ? { payload: route.payload } : {}),
        });
        assert.equal(response.statusCode, 401, `${route.method} ${route.url} with ${Object.keys(headers).join("+") || "nothing"}`);
        assert.equal(response.json().code, "not_authenticated");
      }
    }
    assert.equal((await apiGet(t.app, "/api/me/security", { token: flowId })).statusCode, 401);
  });

  it("refuses a pending login on every route the app has, not only the ones listed here", async () => {
    const { browser, enrolled } = await pendingBrowser();
    const flowToken = browser.cookies.get("twostep_login")!;
    const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const checked: string[] = [];
    for (const route of listRoutes(t.app.printRoutes({ commonPrefix: false }))) {
      if (isPublic(route.path)) continue;
      // Each path parameter in the shape its schema asks for, so that the path is not what refuses.
      const pathValues: Record<string, string> = { methodId: enrolled.methodId, userId: enrolled.user.id, browserId: "A".repeat(43) };
      const url = route.path.replace(/:(\w+)/g, (_all, name: string) => pathValues[name] ?? "00000000-0000-4000-8000-000000000000");
      const api = url.startsWith("/api/");
      if (route.method === "GET") {
        const response = await t.app.inject({ method: "GET", url, headers: api ? { authorization: `Bearer ${flowToken}` } : { cookie }, remoteAddress: browser.clientAddress });
        if (api) assert.equal(response.statusCode, 401, `GET ${url}`);
        else assertRefusedPage(response, `GET ${url}`);
      } else if (api) {
        // Fill in whatever the schema asks for until the request passes validation: then only the session check is left.
        const payload: Record<string, unknown> = {};
        const send = () =>
          t.app.inject({ method: route.method as "POST", url, payload, headers: { authorization: `Bearer ${flowToken}` }, remoteAddress: browser.clientAddress });
        let response = await send();
        for (let i = 0; i < 8 && response.statusCode === 400 && response.json().field; i++) {
          const field = response.json().field as string;
          payload[field] = field === "credential" ? { id: "AAAA", rawId: "AAAA", type: "public-key", response: {} } : "123456";
          response = await send();
        }
        assert.equal(response.statusCode, 401, `${route.method} ${url} ${JSON.stringify(payload)} → ${response.body}`);
      } else {
        // A valid body and a valid CSRF token, so that only the session guard can refuse: fill in each field the
        // error page names (a schema refusal comes before the guard), then expect the guard's answer, /login.
        const csrf = await browser.csrfFor("/login/two-factor");
        const fields: Record<string, string> = {};
        let response = await browser.post(url, fields, { csrf });
        for (let i = 0; i < 8 && response.statusCode === 400; i++) {
          const field = /data-field="([^"]+)"/.exec(response.body)?.[1];
          if (!field || field in fields) break;
          fields[field] = "123456";
          response = await browser.post(url, fields, { csrf });
        }
        assertRefusedPage(response, `POST ${url} ${JSON.stringify(fields)}`);
        assert.equal(browser.cookies.has("twostep_session"), false);
      }
      checked.push(`${route.method} ${route.path}`);
    }
    assert.ok(checked.length >= 15, `swept ${checked.length} routes`);
    assert.ok(checked.includes("GET /settings/security") && checked.includes("POST /api/me/two-factor/disable") && checked.includes("POST /settings/two-factor/disable"));
  });

  it("does not let the password step of a 2FA user through the API to a session", async () => {
    const enrolled = await enrolTotp(t.deps);
    const response = await apiPost(t.app, "/api/login", { email: enrolled.user.email, password: enrolled.password });
    const body = response.json();
    assert.equal(body.status, "second_factor_required");
    assert.equal(body.sessionToken, undefined);
  });
});
