import middie from "@fastify/middie";
import type { FastifyInstance } from "fastify";
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import type { KoaContextWithOIDC } from "oidc-provider";
import { buildProvider, providerCookieKey, providerPrefix } from "../../services/apps/provider.js";
import { loadSigningJwks, signingKeySetVersion } from "../../services/apps/signing-keys.js";
import type { ServiceDeps } from "../../services/deps.js";
import { resolveSession } from "../../services/sessions/sessions.js";
import { sessionCookie } from "../plugins/authentication.js";
import { endTwostepSessionOf, providerPages } from "./provider-pages.js";
import { registerInteractionRoutes } from "./interaction-routes.js";
import { registerSignInFormAction } from "./form-action.js";
import { registerForwardAuthRoute } from "./forward-auth-route.js";

/** The provider's endpoints that are on (each also answers below itself: `/auth/<uid>`, `/token/introspection`, `/session/end/confirm`). */
const providerRoutes = ["auth", "token", "me", "jwks", "session/end", "request"].map((route) => `${providerPrefix}/${route}`);

/** Requests the provider answers: discovery and its endpoints; anything else (the interaction pages, a stray /oidc/x) is twostep's. */
export function isProviderPath(url: string): boolean {
  const path = url.split("?")[0]!;
  return path === "/.well-known/openid-configuration" || providerRoutes.some((route) => path === route || path.startsWith(`${route}/`));
}

/**
 * Mounts the OpenID Connect provider (OIDC-NOTES §1): a middie function hands
 * over only the provider's paths, in `onRequest`, before any body parser, so
 * the provider reads the raw body itself; every other request goes on to
 * twostep's routes. The provider's URLs come from the issuer, never from the
 * request: the Host and X-Forwarded-* headers it reads are set here to
 * `TWOSTEP_PUBLIC_URL`'s (discovery would otherwise list whatever host a
 * client sent). Each instance reads the signing keys every
 * `TWOSTEP_OIDC_KEY_REFRESH_SECONDS` and rebuilds its provider when the
 * published set changed (the library fixes its keys at construction).
 */
export async function registerOidcProvider(app: FastifyInstance, deps: ServiceDeps, cookieSecret: string): Promise<void> {
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
  const build = async () => buildProvider({ ...options, jwks: await loadSigningJwks(deps) }, cookieKeys);
  let provider: Provider = await build();
  let callback = provider.callback();
  let version = await signingKeySetVersion(deps);

  // One read at a time: a rebuild slower than the interval must not overlap the next one and finish after it with an older key set.
  let reading = false;
  const refresh = setInterval(() => {
    if (reading) return;
    reading = true;
    void (async () => {
      const next = await signingKeySetVersion(deps);
      if (next === version) return;
      provider = await build();
      callback = provider.callback();
      version = next;
    })()
      .catch((error: unknown) => deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, "reading the signing keys failed; the provider keeps its keys"))
      .finally(() => {
        reading = false;
      });
  }, deps.config.oidc.keyRefreshSeconds * 1000);
  refresh.unref();
  app.addHook("onClose", async () => clearInterval(refresh));

  await app.register(middie);
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (!req.url || !isProviderPath(req.url)) return next();
    req.headers.host = issuer.host;
    req.headers["x-forwarded-host"] = issuer.host;
    req.headers["x-forwarded-proto"] = issuer.protocol.slice(0, -1);
    void callback(req, res);
  });
  registerInteractionRoutes(app, deps, () => provider);
  registerSignInFormAction(app, deps);
  registerForwardAuthRoute(app, deps);
}
