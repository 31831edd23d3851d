import type { KoaContextWithOIDC } from "oidc-provider";
import type { ServiceDeps } from "../../services/deps.js";
import { payloadIdHash } from "../../services/apps/provider-names.js";

/** The provider's own session cookie (its default name). */
export const providerSessionCookie = "_session";
import { endSession, resolveSession } from "../../services/sessions/sessions.js";
import { html, raw } from "../pages/html.js";
import { errorPage } from "../pages/views/error.js";
import { layout } from "../pages/views/layout.js";
import { sessionCookie } from "../plugins/authentication.js";
import { allowFormActionTo } from "./form-action.js";

/** The pages the provider itself answers, in twostep's layout (no outside fonts or scripts: the CSP stays as it is). */
export const providerPages = {
  /** The redirect URI could not be trusted: an error page, never a redirect (SECURITY "Apps", RFC 9700 §4.1). */
  renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) {
    ctx.type = "html";
    ctx.body = layout(
      { title: "Sign-in refused", narrow: true, user: null },
      errorPage({ title: "This sign-in request was refused", message: `${out.error}: ${out.error_description ?? "the request is not valid"}` }),
    ).toString();
  },
  /** RP-initiated logout asks first (the library's form carries its own anti-forgery field). */
  logoutSource(ctx: KoaContextWithOIDC, form: string) {
    ctx.type = "html";
    // The confirmation posts, then redirects to the app's registered post-logout URI (checked by the library).
    const after = ctx.oidc.params?.post_logout_redirect_uri;
    if (typeof after === "string") allowFormActionTo(() => ctx.response.get("content-security-policy"), (value) => ctx.set("content-security-policy", value), new URL(after).origin);
    ctx.body = layout(
      { title: "Sign out", narrow: true, user: null },
      html`<h1>Sign out of twostep and its apps?</h1>${raw(form)}<p><button type="submit" form="op.logoutForm" name="logout" value="yes" class="primary">Yes, sign me out</button> <button type="submit" form="op.logoutForm">No, stay signed in</button></p>`,
    ).toString();
  },
  postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
    ctx.type = "html";
    ctx.body = layout({ title: "Signed out", narrow: true, user: null }, html`<h1>You are signed out</h1><p><a href="/login">Log in again</a></p>`).toString();
  },
};

/**
 * After an app's RP-initiated logout is confirmed, the twostep session of
 * that browser ends too (single logout): otherwise the next sign-in of any app
 * would finish on it without a login.
 */
export async function endTwostepSessionOf(deps: ServiceDeps, ctx: KoaContextWithOIDC): Promise<void> {
  const auth = await resolveSession(deps, ctx.cookies.get(sessionCookie, { signed: false }));
  if (auth) await endSession(deps, auth, { clientAddress: ctx.ip ?? null, userAgent: ctx.get("user-agent") || null });
  const domain = deps.config.oidc.cookieDomain;
  ctx.cookies.set(sessionCookie, null, { path: "/", httpOnly: true, sameSite: "lax", signed: false, overwrite: true, ...(domain ? { domain } : {}) });
}

/**
 * Logging out of twostep ends this browser's provider session too: the
 * apps' refresh tokens bound to it (every one issued without
 * `offline_access`) stop working at once, not at the session's expiry.
 */
export async function endProviderSessionOf(deps: ServiceDeps, cookies: Record<string, string | undefined>): Promise<void> {
  const id = cookies[providerSessionCookie];
  if (id) await deps.store.oidcPayloads.destroyOidcPayload("Session", payloadIdHash(id));
}
