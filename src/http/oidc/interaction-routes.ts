import { factorFor } from "../../services/factors/registry.js";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type Provider from "oidc-provider";
import type { InteractionResults } from "oidc-provider";
import { decideInteraction } from "../../services/apps/interaction-decision.js";
import { interactionStartedAt, interactionUnmet } from "../../services/apps/interaction-start.js";
import { interactionPath } from "../../services/apps/provider-names.js";
import { rememberBrowserProperty, requireTwoFactorProperty } from "../../services/apps/client-metadata.js";
import type { ServiceDeps } from "../../services/deps.js";
import { pageSession } from "../plugins/authentication.js";
import { sendPage } from "../pages/render.js";
import { errorPage } from "../pages/views/error.js";

/**
 * An app's sign-in (the provider's interaction) is twostep's own login: this
 * page looks at the browser's twostep session and either finishes the
 * interaction with it (amr, acr and auth_time from how that session was made),
 * sends the browser to `/login?return_to=<this page>`, or ends with an error
 * for the app (`unmet_authentication_requirements`, never a weaker token).
 */
export function registerInteractionRoutes(app: FastifyInstance, deps: ServiceDeps, providerOf: () => Promise<Provider>) {
  app.get<{ Params: { uid: string } }>(interactionPath(":uid"), async (request, reply) => {
    // The provider as it is now (mount.ts builds it at first use and rebuilds it when the signing keys change).
    const provider = await providerOf();
    let details: Awaited<ReturnType<Provider["interactionDetails"]>>;
    try {
      details = await provider.interactionDetails(request.raw, reply.raw);
    } catch {
      // Its parameters are gone (expired, or another browser): nothing can be sent back to the app (OIDC-NOTES §3).
      return expired(reply);
    }
    if (details.uid !== request.params.uid) return expired(reply);
    const client = await provider.Client.find(String(details.params.client_id));
    if (!client) return expired(reply);
    const result = details.prompt.name === "consent" ? await consentResult(provider, details) : await loginResult(deps, request, details, client);
    if (typeof result === "string") return reply.redirect(result, 303);
    const url = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    return reply.redirect(url, 303);
  });
}

async function loginResult(deps: ServiceDeps, request: FastifyRequest, details: Awaited<ReturnType<Provider["interactionDetails"]>>, client: NonNullable<Awaited<ReturnType<Provider["Client"]["find"]>>>): Promise<InteractionResults | string> {
  const auth = await pageSession(deps, request);
  const login = auth ? await deps.store.sessionLogins.findSessionLogin(auth.session.id) : null;
  const methods = auth ? (await deps.store.methods.listMethods(auth.user.id)).filter((method) => method.status === "active") : [];
  const maxAge = details.params.max_age;
  const decision = decideInteraction({
    now: deps.clock.now(),
    startedAt: await interactionStartedAt(deps, details.uid, (details.exp ?? 0) * 1000),
    reasons: details.prompt.reasons,
    ...(maxAge !== undefined && maxAge !== null && /^\d+$/.test(String(maxAge)) ? { maxAgeSeconds: Number(maxAge) } : {}),
    ...(typeof details.params.acr_values === "string" ? { acrValues: details.params.acr_values } : {}),
    app: { requireTwoFactor: client[requireTwoFactorProperty] === true, rememberBrowser: client[rememberBrowserProperty] === true },
    session: auth ? { userId: auth.user.id, createdAt: auth.session.createdAt, factor: login?.factor ?? "password" } : null,
    user: auth ? { hasTwoFactor: methods.length > 0, hasSecurityKey: methods.some((method) => factorFor(method.type).phishingResistant) } : null,
    unmetAtLogin: await interactionUnmet(deps, details.uid),
  });
  switch (decision.kind) {
    case "login":
      return `/login?return_to=${encodeURIComponent(interactionPath(details.uid))}${decision.fresh ? "&prompt=login" : ""}`;
    case "error":
      return { error: decision.error, error_description: decision.description };
    case "finish":
      return { login: { accountId: decision.accountId, amr: decision.amr, acr: decision.acr, ts: decision.authTimeSeconds, remember: true } };
  }
}

/** The platform's apps are first-party: a consent prompt (not expected; loadExistingGrant grants) is answered with a grant of what was asked. */
async function consentResult(provider: Provider, details: Awaited<ReturnType<Provider["interactionDetails"]>>): Promise<InteractionResults> {
  const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  return { consent: { grantId: await grant.save() } };
}

function expired(reply: FastifyReply) {
  return sendPage(
    reply,
    { title: "Sign-in expired", narrow: true, status: 400 },
    errorPage({ title: "This sign-in has expired", message: "Go back to the app you came from and sign in again." }),
  );
}
