/**
 * A twostep server whose issuer is its own listening address (the relying
 * party fetches discovery, JWKS and the token endpoint from it), and a
 * browser without JavaScript: fetch with a cookie jar that honours cookie
 * paths and follows redirects by hand, filling twostep's forms.
 */
import { createServer, type AddressInfo } from "node:net";
import { after, before } from "node:test";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/http/app.js";
import { createClient } from "../../src/services/apps/clients.js";
import { createTestRuntime, type TestRuntime, type TestRuntimeOptions } from "./runtime.js";
import { OffsetClock } from "./server.js";
import * as oidcClient from "openid-client";
import { codeFor } from "./totp.js";
import { enrolTotp, type EnrolledUser } from "./enrol.js";

export interface OidcServer {
  issuer: string;
  app: FastifyInstance;
  runtime: TestRuntime;
  clock: OffsetClock;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The app on the wall clock (the provider stamps tokens with the real time), listening at its issuer.
 * `host: "localhost"` names the issuer by that name (still listening on 127.0.0.1): security keys need
 * a site whose RP ID is a name, never an IP address.
 */
export async function startOidcServer(options: TestRuntimeOptions & { port?: number; host?: "127.0.0.1" | "localhost" } = {}): Promise<OidcServer> {
  const port = options.port ?? (await freePort());
  const issuer = `http://${options.host ?? "127.0.0.1"}:${port}`;
  const runtime = await createTestRuntime({ ...options, env: { TWOSTEP_PUBLIC_URL: `${issuer}/`, ...options.env } });
  const clock = new OffsetClock();
  runtime.deps.clock = clock;
  runtime.clock.now = clock.now;
  const app = await buildApp({ deps: runtime.deps, cookieSecret: "oidc-test-cookie-secret-oidc-test-cookie", logger: false });
  await app.listen({ port, host: "127.0.0.1" });
  return {
    issuer,
    app,
    runtime,
    clock,
    close: async () => {
      await app.close();
      await runtime.close();
    },
  };
}

export async function registerApp(server: OidcServer, input: Partial<Parameters<typeof createClient>[1]> = {}) {
  const created = await createClient(server.runtime.deps, {
    name: `app ${Math.random().toString(36).slice(2)}`,
    redirectUris: ["http://127.0.0.1:9/cb"],
    postLogoutRedirectUris: [],
    backchannelLogoutUri: null,
    forwardAuthOrigins: [],
    isPublic: false,
    requireTwoFactor: false,
    rememberBrowser: false,
    ...input,
  });
  if (!created.ok) throw new Error(created.problem);
  return { clientId: created.client.id, clientSecret: created.secret, client: created.client };
}

interface StoredCookie {
  value: string;
  path: string;
}

export class Browser {
  readonly jar = new Map<string, StoredCookie>();
  lastPage = "";
  lastStatus = 0;
  private turn = 0;

  /** `backends`: instances behind a load balancer without sticky sessions; each request goes to the next one. */
  constructor(
    readonly origin: string,
    readonly backends: string[] = [origin],
  ) {}

  private cookieHeader(path: string): string {
    return [...this.jar].filter(([, cookie]) => path === cookie.path || path.startsWith(cookie.path.endsWith("/") ? cookie.path : `${cookie.path}/`) || cookie.path === "/").map(([name, cookie]) => `${name}=${cookie.value}`).join("; ");
  }

  private keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";").map((part) => part.trim());
      const index = pair!.indexOf("=");
      const name = pair!.slice(0, index);
      const value = pair!.slice(index + 1);
      const attribute = (key: string) => attributes.find((each) => each.toLowerCase().startsWith(`${key}=`))?.split("=")[1];
      const path = attribute("path") ?? "/";
      const expires = attribute("expires");
      const gone = value === "" || attribute("max-age") === "0" || (expires !== undefined && new Date(expires).getTime() <= Date.now());
      if (gone) this.jar.delete(name);
      else this.jar.set(name, { value, path });
    }
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url, this.origin);
    const headers: Record<string, string> = {};
    if (target.origin === this.origin) {
      const cookies = this.cookieHeader(target.pathname);
      if (cookies) headers.cookie = cookies;
    }
    let body: string | undefined;
    if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const sent = new URL(target);
    if (target.origin === this.origin) {
      const backend = new URL(this.backends[this.turn++ % this.backends.length]!);
      sent.host = backend.host;
    }
    const response = await fetch(sent, { method: init.method ?? (init.form ? "POST" : "GET"), headers, body, redirect: "manual" });
    if (target.origin === this.origin) this.keep(response);
    this.lastStatus = response.status;
    if (response.headers.get("content-type")?.startsWith("text/html")) this.lastPage = await response.text();
    return response;
  }

  /** Follows redirects on twostep from `url`; stops at a page (2xx/4xx) or a redirect that leaves twostep. Returns the last URL. */
  async follow(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<string> {
    let current = new URL(url, this.origin).href;
    let response = await this.request(current, init);
    for (let hops = 0; hops < 20 && response.status >= 300 && response.status < 400; hops++) {
      const next = new URL(response.headers.get("location")!, current).href;
      if (new URL(next).origin !== this.origin) return next;
      current = next;
      response = await this.request(current);
    }
    return current;
  }

  /** Submits the form of the last page with `fields`, the CSRF token taken from the page. */
  async submit(action: string, fields: Record<string, string>): Promise<string> {
    const csrf = /name="_csrf" value="([^"]+)"/.exec(this.lastPage)?.[1];
    if (!csrf) throw new Error(`no CSRF token on the page before ${action}: ${this.lastPage.slice(0, 300)}`);
    return this.follow(action, { form: { _csrf: csrf, ...fields } });
  }
}


/** openid-client's configuration for a registered app (an http issuer needs allowInsecureRequests); ID tokens verified against the JWKS. */
export async function relyingParty(server: OidcServer, app: { clientId: string; clientSecret: string | null }): Promise<oidcClient.Configuration> {
  const auth = app.clientSecret ? oidcClient.ClientSecretBasic(app.clientSecret) : oidcClient.None();
  const config = await oidcClient.discovery(new URL(server.issuer), app.clientId, undefined, auth, { execute: [oidcClient.allowInsecureRequests] });
  oidcClient.enableNonRepudiationChecks(config);
  return config;
}

export interface SignInRequest {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function authorizationRequest(config: oidcClient.Configuration, redirectUri: string, extra: Record<string, string> = {}): Promise<SignInRequest> {
  const verifier = oidcClient.randomPKCECodeVerifier();
  const state = oidcClient.randomState();
  const nonce = oidcClient.randomNonce();
  const url = oidcClient.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: "openid email profile account",
    code_challenge: await oidcClient.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/**
 * Drives the browser from the authorization request through whatever twostep
 * asks (password, TOTP code) to the redirect back to the app; returns that URL.
 */
export async function signInWithTotp(server: OidcServer, browser: Browser, request: SignInRequest, user: { email: string; password: string; keyBase32?: string }): Promise<string> {
  let at = await browser.follow(request.url.href);
  if (at.includes("/login?")) at = await browser.submit("/login", { email: user.email, password: user.password });
  if (at.includes("/login/two-factor")) {
    if (!user.keyBase32) throw new Error("the login asks for a TOTP code and the user has no key");
    server.clock.advance(30);
    at = await browser.submit("/login/two-factor", { code: codeFor(user.keyBase32, server.clock.now()) });
  }
  return at;
}

export async function exchange(config: oidcClient.Configuration, callback: string, request: SignInRequest) {
  return oidcClient.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
}

/** What most app sign-in tests start from: a server, a TOTP user and one confidential app, ready in the describe's tests. */
export interface TotpUserAndApp {
  readonly server: OidcServer;
  readonly user: EnrolledUser;
  readonly app: { clientId: string; clientSecret: string | null };
  /** The app's relying party (openid-client). */
  readonly config: oidcClient.Configuration;
  readonly redirectUri: string;
  /** An authorization request of `rp` (default the app's) signed through by the user in a new browser: the request and the callback URL. */
  signIn(options?: { rp?: oidcClient.Configuration; extra?: Record<string, string> }): Promise<{ request: SignInRequest; callback: string }>;
}

/** Sets up a TotpUserAndApp before the enclosing describe's tests and closes its server after them. */
export function totpUserAndApp(options: TestRuntimeOptions = {}): TotpUserAndApp {
  const redirectUri = "http://127.0.0.1:9/cb";
  const parts = {} as { server: OidcServer; user: EnrolledUser; app: TotpUserAndApp["app"]; config: oidcClient.Configuration };
  before(async () => {
    parts.server = await startOidcServer(options);
    parts.user = await enrolTotp(parts.server.runtime.deps);
    parts.app = await registerApp(parts.server, { redirectUris: [redirectUri] });
    parts.config = await relyingParty(parts.server, parts.app);
  });
  after(() => parts.server.close());
  return {
    get server() {
      return parts.server;
    },
    get user() {
      return parts.user;
    },
    get app() {
      return parts.app;
    },
    get config() {
      return parts.config;
    },
    redirectUri,
    async signIn({ rp = parts.config, extra = {} } = {}) {
      const request = await authorizationRequest(rp, redirectUri, extra);
      const { user } = parts;
      const callback = await signInWithTotp(parts.server, new Browser(parts.server.issuer), request, { email: user.user.email, password: user.password, keyBase32: user.keyBase32 });
      return { request, callback };
    },
  };
}
