import { interactionPolicy, type KoaContextWithOIDC } from "oidc-provider";
import { acrLevel } from "./login-strength.js";
import { requireTwoFactorProperty } from "./client-metadata.js";

const { Check, base } = interactionPolicy;

/**
 * The provider's interaction policy: the library's own prompts, plus four
 * checks on the login prompt so single sign-on never skips a rule (SECURITY
 * "Apps that rely on twostep"; OIDC-NOTES §3, §4). None fires once this very
 * request carries a login result, so an interaction cannot loop; the
 * interaction itself refuses what it cannot meet.
 *
 * - `twostep_session_ended`: the provider session outlives nothing: without a
 *   live twostep session of the same user (logged out, deactivated, signed out
 *   everywhere) the browser logs in again.
 * - `app_requires_two_factor`: an app registered with `--require-two-factor`
 *   and a provider session from a login without a second factor.
 * - `max_age_zero`: `max_age=0` asks for a login now (the library's check
 *   counts whole seconds).
 * - `acr_values_requested`: `acr_values` is an app's step-up: a fresh password
 *   and second factor, never the level the session happens to hold.
 */
export function twostepInteractionPolicy(sameUserSessionAlive: (ctx: KoaContextWithOIDC, accountId: string) => Promise<boolean>) {
  const policy = base();
  const login = policy.get("login")!;
  const decided = (ctx: KoaContextWithOIDC) => Boolean(ctx.oidc.result?.login);
  login.checks.add(
    new Check("twostep_session_ended", "The twostep session has ended", async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId || decided(ctx)) return Check.NO_NEED_TO_PROMPT;
      return (await sameUserSessionAlive(ctx, accountId)) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  login.checks.add(
    new Check("app_requires_two_factor", "This app requires two-factor authentication", (ctx) => {
      if (decided(ctx) || !ctx.oidc.client?.[requireTwoFactorProperty]) return Check.NO_NEED_TO_PROMPT;
      return acrLevel(ctx.oidc.session?.acr) >= 2 ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  login.checks.add(
    // The library's own max_age check counts whole seconds, so max_age=0 passes within the second of a login.
    new Check("max_age_zero", "The app asked for a login now", (ctx) => {
      if (decided(ctx)) return Check.NO_NEED_TO_PROMPT;
      return ctx.oidc.params?.max_age !== undefined && Number(ctx.oidc.params.max_age) === 0 ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  login.checks.add(
    new Check("acr_values_requested", "The app asked for a fresh authentication at a given level", (ctx) => {
      if (decided(ctx)) return Check.NO_NEED_TO_PROMPT;
      return typeof ctx.oidc.params?.acr_values === "string" && ctx.oidc.params.acr_values.trim() !== "" ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}
