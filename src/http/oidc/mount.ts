import type { FastifyInstance } from "fastify";
import type Provider from "oidc-provider";
import type { KoaContextWithOIDC } from "oidc-provider";
import { providerCookieKey, providerPrefix } from "../../services/apps/provider-names.js";
import { loadSigningJwks, signingKeySetVersion } from "../../services/apps/signing-keys.js";
import type { ServiceDeps } from "../../services/deps.js";
import { resolveSession } from "../../services/sessions/sessions.js";
import { sessionCookie } from "../plugins/authentication.js";
import { endTwostepSessionOf, providerPages } from "./provider-pages.js";
import { registerInteractionRoutes } from "./interaction-routes.js";
import { registerSignInFormAction } from "./form-action.js";
import { registerForwardAuthRoute } from "./forward-auth-route.js";
import type { SetSecurityHeaders } from "../plugins/security-headers.js";

/** The provider's endpoints that are on (each also answers below itself: `/auth/<uid>`, `/token/introspection`, `/session/end/confirm`). */
const providerRoutes = ["auth", "token", "me", "jwks", "session/end", "request"].map((route) => `${providerPrefix}/${route}`);

const providerRoutesBelow = providerRoutes.map((route) => `${route}/`);

/**
 * Requests the provider answers: discovery and its endpoints; anything else (the interaction pages, a stray /oidc/x) is twostep's.
 * Asked for every request of the app (forward auth's checks included), so it makes no strings for a path outside /oidc.
 */
export function isProviderPath(url: string): boolean {
  if (!url.startsWith(providerPrefix) && !url.startsWith("/.well-known/")) return false;
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  return path === "/.well-known/openid-configuration" || providerRoutes.some((route, index) => path === route || path.startsWith(providerRoutesBelow[index]!));
}

/**
 * Mounts the OpenID Connect provider (OIDC-NOTES §1): an `onRequest` hook hands
 * over only the provider's paths, in `onRequest`, before any body parser, so
 * the provider reads the raw body itself; every other request goes on to
 * twostep's routes. The provider's URLs come from the issuer, never from the
 * request: the Host and X-Forwarded-* headers it reads are set here to
 * `TWOSTEP_PUBLIC_URL`'s (discovery would otherwise list whatever host a
 * client sent). Each instance reads the signing keys every
 * `TWOSTEP_OIDC_KEY_REFRESH_SECONDS` and rebuilds its provider when the
 * published set changed (the library fixes its keys at construction).
 *
 * The mount is in place before the first request; the provider itself (`oidc-provider`
 * with koa and jose, about 38 MB of memory alone) is imported and built at the first
 * request that needs it (a provider path or an interaction page), so a server whose
 * users only log in to twostep never holds it. Requests that come while it is being
 * built wait for the same build; a build that failed is tried again by the next request.
 * The signing keys are still read at start (and the first one made).
 */
export async function registerOidcProvider(app: FastifyInstance, deps: ServiceDeps, cookieSecret: string, setSecurityHeaders: SetSecurityHeaders): Promise<void> {
  const issuer = new URL(deps.config.publicUrl);
  const cookieKeys = [providerCookieKey(cookieSecret)];
  const options = {
    deps,
    sameUserSessionAlive: async (ctx: KoaContextWithOIDC, accountId: string) =>
      (await resolveSession(deps, ctx.cookies.get(sessionCookie, { signed: false })))?.user.id === accountId,
    twostepSessionOf: async (ctx: KoaContextWithOIDC) => {
      const auth = await resolveSession(deps, ctx.cookies.get(sessionCookie, { signed: false }));
      return auth ? { sessionId: auth.session.id, userId: auth.user.id } : null;
    },
    ...providerPages,
    afterLogout: (ctx: KoaContextWithOIDC) => endTwostepSessionOf(deps, ctx),
  };
  interface Built {
    provider: Provider;
    callback: ReturnType<Provider["callback"]>;
  }
  // The signing keys are read at start all the same (the first one is made if there is none): a server
  // whose TWOSTEP_ENCRYPTION_KEY cannot open them refuses to start, naming the key, not at its first app sign-in.
  await loadSigningJwks(deps);
  let current: Promise<Built> | undefined;
  let refresh: NodeJS.Timeout | undefined;
  app.addHook("onClose", async () => clearInterval(refresh));

  async function start(): Promise<Built> {
    const { buildProvider } = await import("../../services/apps/provider.js");
    const build = async (): Promise<Built> => {
      const provider = buildProvider({ ...options, jwks: await loadSigningJwks(deps) }, cookieKeys);
      return { provider, callback: provider.callback() };
    };
    const first = await build();
    let version = await signingKeySetVersion(deps);
    // One read at a time: a rebuild slower than the interval must not overlap the next one and finish after it with an older key set.
    let reading = false;
    refresh = setInterval(() => {
      if (reading) return;
      reading = true;
      void (async () => {
        const next = await signingKeySetVersion(deps);
        if (next === version) return;
        current = Promise.resolve(await build());
        version = next;
      })()
        .catch((error: unknown) => deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, "reading the signing keys failed; the provider keeps its keys"))
        .finally(() => {
          reading = false;
        });
    }, deps.config.oidc.keyRefreshSeconds * 1000);
    refresh.unref();
    return first;
  }
  const built = (): Promise<Built> =>
    (current ??= start().catch((error: unknown) => {
      current = undefined;
      throw error;
    }));

  // Not @fastify/middie (its documented mount, OIDC-NOTES §1): middie copies the request's ip, ips,
  // hostname, protocol and query onto every raw request, the provider's or not (Fastify works
  // out the proxy chain for each), about 4 µs and 1.6 kB of a wrong-code second step (bench/README.md).
  // The same hand-over in `onRequest`, before any body parser; the reply is the provider's (hijacked),
  // and Fastify goes no further with the request, as with a middleware that does not call `next`.
  app.addHook("onRequest", (request, reply, done) => {
    const req = request.raw;
    if (!req.url || !isProviderPath(req.url)) return done();
    reply.hijack();
    const res = reply.raw;
    req.headers.host = issuer.host;
    req.headers["x-forwarded-host"] = issuer.host;
    req.headers["x-forwarded-proto"] = issuer.protocol.slice(0, -1);
    built().then(
      ({ callback }) => void callback(req, res),
      (error: unknown) => {
        deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, "the OpenID Connect provider could not be built");
        res.statusCode = 503;
        res.setHeader("content-type", "application/json");
        res.setHeader("cache-control", "no-store");
        res.end(JSON.stringify({ error: "temporarily_unavailable", error_description: "The sign-in service is starting or unavailable. Try again in a moment." }));
      },
    );
  });
  registerInteractionRoutes(app, deps, async () => (await built()).provider);
  registerSignInFormAction(app, deps);
  registerForwardAuthRoute(app, deps, setSecurityHeaders);
}
