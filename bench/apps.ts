/**
 * Issue 15's rows of `npm run bench`: the apps' two hot paths on the real server.
 *
 * - Forward auth: `GET /forward-auth` with a valid session cookie and `X-Original-URL` on a
 *   registered origin (200 with the Remote-* headers), beside a bare Fastify GET route
 *   (`/bare-get` in bench/server.ts's bare mode), in interleaved pairs (bench/pairs.ts):
 *   latency with `BENCH_FORWARD_AUTH_CONNECTIONS` requests at a time (default 1: what one
 *   page of the legacy panel waits for; measured per request with hrtime, keep-alive), and
 *   checks per second with autocannon at `BENCH_CONNECTIONS`.
 * - The token endpoint: a closed loop (`BENCH_LOGIN_USERS` loops, default 10) doing, per
 *   iteration, `GET /oidc/auth` (single sign-on on a provider session made before the run:
 *   303 to the app with a code) then `POST /oidc/token` (code → tokens, PKCE S256,
 *   client_secret_basic). Codes cannot be made ahead (they live 60 s and are single-use), so
 *   one iteration is the whole authorize + token exchange; the token request's own latency is
 *   reported beside it.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
import type { Kysely } from "kysely";
import { hashToken } from "../src/security/tokens.js";
import { createKyselyStore } from "../src/store/kysely-store.js";
import type { Database } from "../src/store/schema.js";
import { closedLoop, postJson } from "./closed-loop.js";
import { asLoadResult, load, type LoadResult } from "./measure.js";

export const benchApp = {
  name: "bench panel",
  origin: "https://panel.bench.invalid",
  redirectUri: "https://panel.bench.invalid/oidc/callback",
};

export interface SeededApp {
  clientId: string;
  clientSecret: string;
}

/** Registers the bench's app (a redirect URI and a forward-auth origin) straight in the store, as `clients:create` would. */
export async function seedApp(db: Kysely<Database>): Promise<SeededApp> {
  const clientSecret = randomBytes(32).toString("base64url");
  const clientId = randomUUID();
  await createKyselyStore(db).oidcClients.insertOidcClient({
    id: clientId,
    name: benchApp.name,
    secretHash: hashToken(clientSecret),
    redirectUris: [benchApp.redirectUri],
    postLogoutRedirectUris: [],
    backchannelLogoutUri: null,
    forwardAuthOrigins: [benchApp.origin],
    requireTwoFactor: false,
    rememberBrowser: false,
    createdAt: Date.now(),
    secretRotatedAt: null,
  });
  return { clientId, clientSecret };
}

/** A full twostep session through the API (password, then the code the user's key shows now): its token, the page cookie's value. */
export async function sessionFor(port: number, email: string, password: string, code: () => string): Promise<string> {
  const first = await postJson(port, "/api/login", { email, password });
  if (first.status !== 200 || first.body?.status !== "second_factor_required") throw new Error(`bench login: password step answered ${first.status} ${JSON.stringify(first.body)}`);
  const second = await postJson(port, "/api/login/second-factor", { flowId: first.body.flowId, code: code() });
  if (second.status !== 200 || typeof second.body?.sessionToken !== "string") throw new Error(`bench login: second step answered ${second.status} ${JSON.stringify(second.body)}`);
  return second.body.sessionToken;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(agent: Agent, port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: "127.0.0.1", port, method, path, agent, headers: { "user-agent": "twostep-bench", ...headers, ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}) } }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/** `count` GETs of `path` at a time, one after another each, for `seconds`: latency per request (hrtime, keep-alive), and requests per second. */
export function getLoop(port: number, path: string, headers: Record<string, string>, count: number, expectedStatus: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: count });
  return (seconds: number): Promise<LoadResult> =>
    closedLoop(count, seconds, async () => {
      const answer = await send(agent, port, "GET", path, headers);
      return answer.status === expectedStatus ? "ok" : `${answer.status} ${answer.body.slice(0, 40)}`;
    }).then(asLoadResult);
}

/** autocannon GETs at `connections`: checks per second. */
export function getLoad(port: number, path: string, headers: Record<string, string>, connections: number, expectedStatus: number) {
  return (seconds: number) => load(connections, port, path, seconds, () => "", (status) => status === expectedStatus, { method: "GET", headers });
}

/** What a proxy sends for one page of the legacy panel, with the user's session cookie. */
export const forwardAuthHeaders = (sessionToken: string): Record<string, string> => ({ cookie: `twostep_session=${sessionToken}`, "x-original-url": `${benchApp.origin}/customers?page=2` });

/** The cookies a browser would keep (path ignored: every provider cookie is sent back everywhere, which the provider accepts). */
class Jar {
  private readonly cookies = new Map<string, string>();
  keep(answer: Answer) {
    const lines = answer.headers["set-cookie"] ?? [];
    for (const line of Array.isArray(lines) ? lines : [lines]) {
      const [pair] = line.split(";");
      const index = pair!.indexOf("=");
      const value = pair!.slice(index + 1);
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(pair!.slice(0, index));
      else this.cookies.set(pair!.slice(0, index), value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

const base64url = (bytes: Buffer) => bytes.toString("base64url");

/**
 * One app sign-in loop: its own browser (cookie jar) with a twostep session, signed in to the
 * provider once by following the first authorization through twostep's interaction; then each
 * `iteration` authorizes (single sign-on, no page) and redeems the code at the token endpoint.
 */
export async function appSignInLoop(port: number, app: SeededApp, sessionToken: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const jar = new Jar();
  jar.keep({ status: 0, headers: { "set-cookie": [`twostep_session=${sessionToken}`] }, body: "" });
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString("base64")}`;
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash("sha256").update(verifier).digest());
  const authorizePath = () =>
    `/oidc/auth?${new URLSearchParams({ client_id: app.clientId, redirect_uri: benchApp.redirectUri, response_type: "code", scope: "openid email", code_challenge: challenge, code_challenge_method: "S256", state: base64url(randomBytes(12)), nonce: base64url(randomBytes(12)) })}`;
  const get = async (path: string) => {
    const answer = await send(agent, port, "GET", path, { cookie: jar.header() });
    jar.keep(answer);
    return answer;
  };
  /** Follows twostep's own redirects from `path`; the code from the redirect to the app. */
  const authorize = async (): Promise<string> => {
    let answer = await get(authorizePath());
    for (let hops = 0; hops < 8 && answer.status >= 300 && answer.status < 400; hops++) {
      const location = new URL(String(answer.headers.location), "https://twostep.bench.invalid");
      if (location.href.startsWith(benchApp.redirectUri)) {
        const code = location.searchParams.get("code");
        if (!code) throw new Error(`no code: ${location.search}`);
        return code;
      }
      answer = await get(`${location.pathname}${location.search}`);
    }
    throw new Error(`authorization ended at ${answer.status} ${answer.body.slice(0, 80)}`);
  };
  const tokenLatenciesMs: number[] = [];
  const redeem = async (code: string) => {
    const body = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: benchApp.redirectUri, code_verifier: verifier }).toString();
    const started = performance.now();
    const answer = await send(agent, port, "POST", "/oidc/token", { authorization: basic, "content-type": "application/x-www-form-urlencoded" }, body);
    tokenLatenciesMs.push(performance.now() - started);
    if (answer.status !== 200 || !answer.body.includes('"id_token"')) throw new Error(`token ${answer.status} ${answer.body.slice(0, 60)}`);
  };
  // The first sign-in goes through twostep's interaction, which finishes with the twostep session.
  await redeem(await authorize());
  return {
    tokenLatenciesMs,
    iteration: async (): Promise<"ok" | string> => {
      await redeem(await authorize());
      return "ok";
    },
  };
}
