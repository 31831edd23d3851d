/**
 * Threat: input that crashes a route. A method id with CR/LF in the URL
 * (`/settings/methods/%0D%0Ax/send-code`) was put into a redirect's Location
 * header and answered 500 "Invalid character in header content" (a header
 * injection attempt that Node refused, and a crash any client could trigger at
 * will). Now every path parameter is checked by schema before any handler runs,
 * so junk is a 400 naming the parameter, and a redirect percent-encodes what a
 * header may not hold. Every route with a parameter, pages and API, signed in
 * and not, with CSRF tokens and bodies that pass their own checks, gets a list
 * of hostile values: never a 500, never a raw CR or LF in a header.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildApp } from "../../src/http/app.js";
import { headerSafeLocation, redirect } from "../../src/http/pages/render.js";
import { createKeyThroughApi } from "../helpers/api-keys.js";
import { ApiClient, listRoutes } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { createTestApp, createTestRuntime, seedUser, type TestApp } from "../helpers/runtime.js";

/** As they appear in the URL (percent-encoded where a URL needs it). */
const hostile = [
  "%0D%0ALocation:%20https://evil.example",
  "%0D%0ASet-Cookie:%20twostep_session=x",
  "x%0Ay",
  "x%0Dy",
  "%00",
  "x%09y",
  "a%20b",
  "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
  "%22%3E%3C",
  "..",
  "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
  "a%2Fb",
  "%E2%80%A8",
  "%C3%A9t%C3%A9",
  "%F0%9F%92%A9",
  "%FF%FE",
  "%25",
  "%",
  "%zz",
  "'%3B%20drop%20table%20users%3B--",
  "x".repeat(5000),
];
/** Well formed, but nobody's: the route's own "not yours" answer (often a redirect back), never a 500. */
const unknownId = "00000000-0000-0000-0000-000000000000";

/** A body each parameterised route accepts, so the request reaches its handler. */
function bodyFor(method: string, url: string): Record<string, string> | undefined {
  const page = !url.startsWith("/api/");
  if (method === "GET") return {};
  if (page) {
    if (url.endsWith("/default") || url.endsWith("/resend") || url.endsWith("/deactivate") || url.endsWith("/reactivate") || url.endsWith("/revoke") || url.endsWith("/forget") || url.endsWith("/sign-out")) return {};
    if (url.endsWith("/rename")) return { name: "phone" };
    if (url.endsWith("/approve") || url.endsWith("/disable")) return {};
    if (url.endsWith("/reject") || url.endsWith("/reset-request")) return { reason: "Lost the phone, confirmed by a call." };
    if (url.endsWith("/send-code")) return { next: "reset" };
    if (url.endsWith("/delete") || url.endsWith("/reset") || /\/(sms|setup|totp)\/:methodId$/.test(url)) return { code: "123456" };
    return undefined;
  }
  if (url.endsWith("/resend") || url.endsWith("/default") || url.endsWith("/send-code") || url.endsWith("/deactivate") || url.endsWith("/reactivate") || url.endsWith("/revoke")) return {};
  if (method === "PATCH") return { name: "phone" };
  if (url.endsWith("/approve") || url.endsWith("/two-factor/disable")) return {};
  if (url.endsWith("/reject") || url.endsWith("/reset-requests")) return { reason: "Lost the phone, confirmed by a call." };
  if (url.endsWith("/confirm") || url.endsWith("/reset") || method === "DELETE") return { code: "123456" };
  return undefined;
}

describe("security: hostile path parameters", () => {
  let t: TestApp;
  let browser: FormClient;
  let token: string;
  /** The platform API (`/api/platform/v1/…`) takes an API key, not a session token. */
  let apiKey: string;
  let csrf: string;
  before(async () => {
    t = await createTestApp();
    const { user, password } = await seedUser(t.deps);
    browser = new FormClient(t.app);
    const login = await browser.post("/login", { email: user.email, password }, { csrfFrom: "/login" });
    assert.equal(login.statusCode, 303, login.body);
    csrf = await browser.csrfFor("/settings/security");
    token = await new ApiClient(t.app).sessionFor(user.email, password);
    apiKey = (await createKeyThroughApi(new ApiClient(t.app), token)).key;
  });
  after(() => t.close());

  const parameterised = () => listRoutes(t.app).filter((route) => route.url.includes("/:"));

  it("covers every route with a path parameter", () => {
    const routes = parameterised();
    assert.ok(routes.length >= 15, `found ${routes.length}`);
    assert.deepEqual(routes.filter((route) => bodyFor(route.method, route.url) === undefined), [], "a route without a body here: add it");
  });

  for (const signedIn of [true, false]) {
    it(`answers every hostile value with a 4xx, never a 500 or a header with CR/LF (${signedIn ? "signed in" : "signed out"})`, async () => {
      const failures: string[] = [];
      for (const route of parameterised()) {
        const api = route.url.startsWith("/api/");
        for (const value of [...hostile, unknownId]) {
          const url = route.url.replace(/:[A-Za-z]+/g, value);
          const fields = bodyFor(route.method, route.url)!;
          const headers: Record<string, string> = {};
          let payload: string | undefined;
          if (api) {
            if (signedIn) headers.authorization = `Bearer ${route.url.startsWith("/api/platform/") ? apiKey : token}`;
            if (route.method !== "GET") {
              headers["content-type"] = "application/json";
              payload = JSON.stringify(fields);
            }
          } else {
            if (signedIn) headers.cookie = [...browser.cookies].map(([name, cookieValue]) => `${name}=${cookieValue}`).join("; ");
            if (route.method !== "GET") {
              headers["content-type"] = "application/x-www-form-urlencoded";
              payload = new URLSearchParams({ _csrf: csrf, ...fields }).toString();
            }
          }
          const response = await t.app.inject({ method: route.method as "GET", url, headers, remoteAddress: "198.51.100.7", ...(payload === undefined ? {} : { payload }) });
          const label = `${route.method} ${url.slice(0, 80)} → ${response.statusCode}`;
          if (response.statusCode >= 500) failures.push(`${label} ${response.body.slice(0, 120)}`);
          else if (value !== unknownId && (response.statusCode < 400 || response.statusCode >= 500)) failures.push(`${label}: not a 4xx`);
          else if (value !== unknownId && signedIn && api) {
            // The catalogue's answer: a 400 naming the parameter where the URL could be read, or a 404
            // where the value does not even land in the parameter ("..", a raw "/").
            const body = response.json() as { code: string; field?: string };
            const parameters = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]!);
            const named = body.code === "invalid_request" && parameters.includes(body.field ?? parameters[0]!);
            if (!named && body.code !== "not_found") failures.push(`${label}: ${response.body.slice(0, 120)}`);
          } else if (value !== unknownId && !api && !String(response.headers["content-type"]).startsWith("text/html")) failures.push(`${label}: not an error page`);
          for (const [name, header] of Object.entries(response.headers)) if (/[\r\n]/.test(String(header))) failures.push(`${label}: ${name} holds CR/LF`);
          if (api && response.statusCode >= 400) assert.equal(typeof response.json().code, "string", label);
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  it("never lets a redirect's Location carry CR/LF or turn into a 500, whatever a route puts in it", async () => {
    assert.equal(headerSafeLocation("/settings/methods/abc-123/reset?notice=code_sent"), "/settings/methods/abc-123/reset?notice=code_sent", "a safe path is unchanged");
    assert.equal(headerSafeLocation("/a\r\nSet-Cookie: x"), "/a%0D%0ASet-Cookie:%20x");
    assert.equal(headerSafeLocation("/\u00e9\u{1F4A9}\u0000"), "/%C3%A9%F0%9F%92%A9%00");

    // A route that forgets: raw request data in a redirect, and a Location set by hand.
    const runtime = await createTestRuntime();
    const app = await buildApp({ deps: runtime.deps, cookieSecret: "test-cookie-secret-test-cookie-secret", logger: false });
    app.get("/test/redirect/:where", async (request, reply) => redirect(reply, `/back/${(request.params as { where: string }).where}`));
    app.get("/test/raw/:where", async (request, reply) => reply.code(303).header("location", `/back/${(request.params as { where: string }).where}`).send());
    app.get("/api/test/raw/:where", async (request, reply) => reply.code(303).header("location", `/back/${(request.params as { where: string }).where}`).send());
    try {
      const encoded = await app.inject({ url: "/test/redirect/x%0D%0ASet-Cookie:%20a=b" });
      assert.equal(encoded.statusCode, 303);
      assert.equal(encoded.headers.location, "/back/x%0D%0ASet-Cookie:%20a=b");
      assert.equal(encoded.headers["set-cookie"], undefined);
      for (const url of ["/test/raw/x%0D%0Ay", "/api/test/raw/x%0Ay", "/test/raw/%E2%80%A8"]) {
        const response = await app.inject({ url });
        assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
        assert.equal(response.headers.location, undefined, "an error answer does not redirect");
        if (url.startsWith("/api/")) assert.equal(response.json().code, "invalid_request");
        else assert.match(String(response.headers["content-type"]), /^text\/html/);
      }
    } finally {
      await app.close();
      await runtime.close();
    }
  });
});
