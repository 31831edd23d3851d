import assert from "node:assert/strict";
import type { LightMyRequestResponse } from "fastify";
import { FormClient } from "./browser-client.js";
import { ApiClient, nextCode } from "./api-client.js";
import type { TestClock } from "./runtime.js";

/** L7: the cookie name, as the browser sees it. */
export const trustedCookie = "twostep_trusted_browser";

/** The password step through the pages: where it sends the browser. */
export async function passwordStep(browser: FormClient, email: string, password: string): Promise<string> {
  const response = await browser.post("/login", { email, password }, { csrfFrom: "/login" });
  assert.equal(response.statusCode, 303, response.body);
  return String(response.headers.location);
}

/** Both steps through the pages, ticking "Don't ask again on this browser" or not. */
export async function logInWithCode(browser: FormClient, input: { email: string; password: string; code: string; remember: boolean }): Promise<LightMyRequestResponse> {
  assert.match(await passwordStep(browser, input.email, input.password), /^\/login\/two-factor/);
  const page = await browser.get("/login/two-factor");
  const methodId = /name="methodId" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(methodId, "the second step names its method");
  return browser.post("/login/two-factor", { code: input.code, methodId, ...(input.remember ? { rememberBrowser: "yes" } : {}) }, { csrfFrom: "/login/two-factor" });
}

/** POST /api/login with a cookie header (the API reads the trusted-browser cookie too). */
export function apiLoginWithCookie(app: ConstructorParameters<typeof ApiClient>[0], input: { user: { email: string }; password: string }, cookie: string | null) {
  return new ApiClient(app).request("POST", "/api/login", { json: { email: input.user.email, password: input.password }, ...(cookie ? { headers: { cookie: `${trustedCookie}=${cookie}` } } : {}) });
}

/** The trusted-browser cookie a response set, with its attributes. */
export function trustedCookieOf(response: LightMyRequestResponse) {
  return (response.cookies as { name: string; value: string; maxAge?: number; path?: string; httpOnly?: boolean; sameSite?: string; secure?: boolean }[]).find((cookie) => cookie.name === trustedCookie);
}

/** Both steps through the API with the box ticked (policy must allow it): the cookie's token and the session. */
export async function rememberThroughApi(
  app: ConstructorParameters<typeof ApiClient>[0],
  enrolled: { user: { email: string }; password: string; keyBase32: string },
  clock: TestClock,
): Promise<{ token: string; sessionToken: string; bodies: string[] }> {
  const api = new ApiClient(app);
  const started = await api.post("/api/login", { email: enrolled.user.email, password: enrolled.password });
  assert.equal(started.body.status, "second_factor_required", started.raw.body);
  const response = await api.post("/api/login/second-factor", { flowId: started.body.flowId, code: nextCode(enrolled.keyBase32, clock), rememberBrowser: true });
  assert.equal(response.status, 200, response.raw.body);
  const cookie = trustedCookieOf(response.raw);
  assert.ok(cookie, "policy allows remembering: the cookie is set");
  return { token: cookie.value, sessionToken: response.body.sessionToken as string, bodies: [started.raw.body, response.raw.body] };
}

/** What POST /api/login answers with this trusted-browser cookie (or none). */
export async function loginStatusWith(app: ConstructorParameters<typeof ApiClient>[0], enrolled: { user: { email: string }; password: string }, token: string | null): Promise<string> {
  const response = await apiLoginWithCookie(app, enrolled, token);
  assert.ok(response.status < 500, response.raw.body);
  return response.body.status as string;
}
