import type { AppsDeps } from "./deps.js";
import Provider, { type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import { clientSecretMatches } from "./clients.js";
import { clientMetadataOf, rememberBrowserProperty, requireTwoFactorProperty } from "./client-metadata.js";
import { accountClaims } from "./claims.js";
import { acrValuesSupported } from "./login-strength.js";
import { createProviderAdapter } from "./provider-adapter.js";
import { twostepInteractionPolicy } from "./provider-policy.js";
import type { PrivateJwk } from "./signing-keys.js";
import { recordAppSignIn } from "./app-sign-in-event.js";
import { queueBackchannelLogout } from "./app-sessions.js";
import { linkSignIn } from "./session-logins.js";

import { interactionPath, providerPrefix } from "./provider-names.js";

export interface ProviderOptions {
  deps: AppsDeps;
  /** The private signing JWKs, the signing key first (signing-keys.ts). */
  jwks: PrivateJwk[];
  /** Whether this provider request's browser holds a live twostep session of this user (read from the twostep cookie). */
  sameUserSessionAlive(ctx: KoaContextWithOIDC, accountId: string): Promise<boolean>;
  /** The browser's live twostep session (from the twostep cookie), or null. */
  twostepSessionOf(ctx: KoaContextWithOIDC): Promise<{ sessionId: string; userId: string } | null>;
  /** The error page for a request whose redirect URI cannot be trusted (never a redirect). */
  renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): void;
  /** RP-initiated logout's confirmation page (`form` is the library's) and its success page. */
  logoutSource(ctx: KoaContextWithOIDC, form: string): void;
  postLogoutSuccessSource(ctx: KoaContextWithOIDC): void;
  /** Called once an RP-initiated logout is confirmed: ends the browser's twostep session too. */
  afterLogout(ctx: KoaContextWithOIDC): Promise<void>;
}


/**
 * The OpenID Connect provider (`oidc-provider`, OpenID Certified; no protocol
 * code of twostep's own). Each default the issue forbids is set here, with
 * OIDC-NOTES.md's section: code flow only (§5), PKCE S256 (public apps must),
 * refresh tokens without a consent screen (§6) rotated on every use, reuse
 * ending the grant (§6, provider-adapter.ts for the race), introspection and
 * revocation for the token's own client only (§6), no dev interactions, no
 * consent screen for the platform's own apps (§3), acr never silently
 * downgraded (§4, provider-policy.ts), back-channel logout to the registered
 * URIs even on private addresses (§9).
 */
export function buildProvider(options: ProviderOptions, cookieKeys: string[]): Provider {
  const { deps } = options;
  const oidc = deps.config.oidc;
  const registeredBackchannelUris = new Set<string>();
  const configuration: Configuration = {
    adapter: createProviderAdapter({
      store: deps.store,
      clock: deps.clock,
      findClient: async (clientId) => {
        const client = await deps.store.oidcClients.findOidcClient(clientId);
        if (!client) return undefined;
        if (client.backchannelLogoutUri) registeredBackchannelUris.add(client.backchannelLogoutUri);
        return clientMetadataOf(client);
      },
    }),
    clients: [],
    findAccount: async (_ctx, sub, token) => {
      const claims = await accountClaims(deps, sub, token as { kind?: string; authTime?: number } | undefined);
      return claims ? { accountId: sub, claims: async () => claims } : undefined;
    },
    claims: {
      openid: ["sub", "acr", "amr", "auth_time"],
      email: ["email", "email_verified"],
      profile: ["name"],
      account: ["account", "role"],
    },
    scopes: ["openid", "offline_access", "email", "profile", "account"],
    acrValues: [...acrValuesSupported],
    responseTypes: ["code"],
    clientAuthMethods: ["client_secret_basic", "client_secret_post", "none"],
    enabledJWA: { idTokenSigningAlgValues: ["RS256"] },
    extraClientMetadata: { properties: [requireTwoFactorProperty, rememberBrowserProperty] },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      rpInitiatedLogout: { enabled: true, logoutSource: async (ctx, form) => options.logoutSource(ctx, form), postLogoutSuccessSource: async (ctx) => options.postLogoutSuccessSource(ctx) },
      backchannelLogout: { enabled: true },
      userinfo: { enabled: true },
    },
    // Without a consent screen `offline_access` is always dropped (§6): an app allowed the grant gets a refresh token.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      const client = ctx.oidc.client;
      if (!accountId || !client) return undefined;
      // First-party apps: no consent screen. The session's grant for this app when it still exists (a code
      // replay or a refresh reuse destroys it: then a new one, OIDC-NOTES §3), else a new grant. Tokens get the
      // scopes asked for now, never more, whatever the grant already holds.
      const grantId = ctx.oidc.session?.grantIdFor(client.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      const grant = existing && existing.accountId === accountId && existing.clientId === client.clientId ? existing : new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(" "));
      await grant.save();
      return grant;
    },
    interactions: {
      policy: twostepInteractionPolicy(options.sameUserSessionAlive),
      url: (_ctx, interaction) => interactionPath(interaction.uid),
    },
    cookies: { keys: cookieKeys },
    routes: {
      authorization: `${providerPrefix}/auth`,
      token: `${providerPrefix}/token`,
      userinfo: `${providerPrefix}/me`,
      jwks: `${providerPrefix}/jwks`,
      introspection: `${providerPrefix}/token/introspection`,
      revocation: `${providerPrefix}/token/revocation`,
      end_session: `${providerPrefix}/session/end`,
      pushed_authorization_request: `${providerPrefix}/request`,
      registration: `${providerPrefix}/reg`,
      backchannel_authentication: `${providerPrefix}/backchannel`,
      device_authorization: `${providerPrefix}/device/auth`,
      code_verification: `${providerPrefix}/device`,
      challenge: `${providerPrefix}/challenge`,
    },
    ttl: {
      AccessToken: oidc.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: oidc.idTokenTtlSeconds,
      RefreshToken: oidc.refreshTokenTtlSeconds,
      Grant: oidc.refreshTokenTtlSeconds,
      Session: deps.config.sessionTtlSeconds,
      Interaction: deps.config.loginTtlSeconds + deps.config.enrolmentTtlSeconds,
      BackchannelAuthenticationRequest: 600,
      ClientCredentials: 600,
      DeviceCode: 600,
      PreAuthorizedCode: 600,
    },
    jwks: { keys: options.jwks as unknown as NonNullable<Configuration["jwks"]>["keys"] },
    renderError: async (ctx, out) => options.renderError(ctx, out),
    // The provider refuses private addresses (SSRF guard). Apps are registered by an operator, so their
    // back-channel logout URIs are trusted even on an internal network; anything a request names keeps the guard.
    fetch: (url, init) => {
      const target = url instanceof URL ? url.href : String(url);
      if (registeredBackchannelUris.has(target)) {
        const { dispatcher: _dispatcher, ...rest } = init as RequestInit & { dispatcher?: unknown };
        return globalThis.fetch(url, rest);
      }
      return globalThis.fetch(url, init);
    },
  };
  const provider = new Provider(deps.config.publicUrl, configuration);
  // The provider's own URLs are pinned to the issuer by the mount (http/oidc/mount.ts), which sets these headers.
  provider.proxy = true;
  // The stored `client_secret` is the secret's SHA-256: compare in constant time against it (§5).
  provider.Client.prototype.compareClientSecret = async function compareClientSecret(this: { clientSecret?: string }, actual: string) {
    return clientSecretMatches({ secretHash: this.clientSecret ?? null }, actual);
  };
  endCodeOnPkceFailure(provider, deps);
  retryFailedBackchannelLogouts(provider, deps);
  recordSignIns(provider, deps, options.twostepSessionOf);
  provider.use(async (ctx, next) => {
    await next();
    const oidcCtx = ctx as KoaContextWithOIDC;
    if (oidcCtx.oidc?.route === "end_session_confirm" && ctx.status >= 300 && ctx.status < 400) await options.afterLogout(oidcCtx);
  });
  return provider;
}

/**
 * A missing or wrong PKCE verifier ends the code (SECURITY "Apps", RFC 9700
 * §2.1.1): the library checks the verifier before it consumes the code, so a
 * guess could be followed by another. On that failure the code's grant is
 * revoked, the code with it; only the code's own (authenticated) client gets
 * this far.
 */
function endCodeOnPkceFailure(provider: Provider, deps: AppsDeps) {
  const failed = new WeakSet<object>();
  provider.on("grant.error", (ctx, error) => {
    const text = `${error.message} ${(error as Error & { cause?: Error }).cause?.message ?? ""}`;
    if (ctx.oidc?.params?.grant_type === "authorization_code" && /code_verifier/.test(text)) failed.add(ctx);
  });
  provider.use(async (ctx, next) => {
    await next();
    if (!failed.has(ctx)) return;
    const value = (ctx as KoaContextWithOIDC).oidc?.params?.code;
    if (typeof value !== "string") return;
    const code = await provider.AuthorizationCode.find(value, { ignoreExpiration: true });
    if (!code?.grantId || code.clientId !== (ctx as KoaContextWithOIDC).oidc.client?.clientId) return;
    await deps.store.oidcPayloads.revokeOidcPayloadsByGrantId(code.grantId);
    await provider.Grant.adapter.destroy(code.grantId);
  });
}

/**
 * An app's RP-initiated logout: the library POSTs the other apps' logout
 * tokens itself, once, and only emits `backchannel.error` when one fails
 * (OIDC-NOTES §9). A failed one goes to the outbox, which retries it like
 * any other back-channel logout.
 */
function retryFailedBackchannelLogouts(provider: Provider, deps: AppsDeps) {
  provider.on("backchannel.error", (_ctx, error, client, accountId, sid) => {
    deps.logger.warn({ clientId: client.clientId, err: error.message.slice(0, 120) }, "back-channel logout failed; queued in the outbox for retry");
    queueBackchannelLogout(deps, deps.store, { clientId: client.clientId, sub: accountId, sid }).catch((queueError: unknown) =>
      deps.logger.error({ clientId: client.clientId, err: queueError instanceof Error ? queueError.message : String(queueError) }, "a failed back-channel logout could not be queued"),
    );
  });
}

/**
 * Every code sent back to an app is a sign-in, with a login or through single
 * sign-on: written to the user's event log before the browser is redirected.
 * The address is the socket's (the provider sees no trusted proxy list). The
 * provider session is linked to the browser's twostep session, which ends it.
 */
function recordSignIns(provider: Provider, deps: AppsDeps, twostepSessionOf: ProviderOptions["twostepSessionOf"]) {
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc;
    if (!oidc || (oidc.route !== "authorization" && oidc.route !== "resume") || ctx.status < 300 || ctx.status >= 400) return;
    const location = ctx.response.get("location");
    const accountId = oidc.session?.accountId;
    if (!accountId || !oidc.client || !/[?&]code=/.test(location)) return;
    const twostep = await twostepSessionOf(ctx as KoaContextWithOIDC);
    if (twostep?.userId === accountId && oidc.session?.uid) await linkSignIn(deps.store, oidc.session.uid, twostep.sessionId, deps.clock.now());
    await recordAppSignIn(deps, { userId: accountId, clientId: oidc.client.clientId, acr: oidc.session?.acr ?? "" }, { clientAddress: ctx.req.socket.remoteAddress ?? null, userAgent: ctx.get("user-agent") || null });
  });
}
