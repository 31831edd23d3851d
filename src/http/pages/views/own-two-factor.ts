import { html, type Html } from "../html.js";

/** Where "Set up two-factor authentication" starts (the authenticator app; the Security page also offers SMS where allowed). */
export const setUpTwoFactorPath = "/settings/two-factor/setup";

/**
 * Acting on another user's security (filing or deciding a 2FA reset request,
 * disabling a customer's 2FA, setting a 2FA policy) needs the actor's own 2FA:
 * a stolen password alone must not turn off anyone's second step. Demo users
 * and new admins start without it, so these pages say so before their form
 * (and again if a form is sent anyway), in the same words, with the way out.
 */
export function ownTwoFactorRequired(input: { action: string; back?: { href: string; label: string }; headingLevel: 1 | 2 | 3 }): Html {
  const heading = "Set up two-factor authentication for your own account first";
  const headings = {
    1: html`<h1 id="own-two-factor-heading">${heading}</h1>`,
    2: html`<h2 id="own-two-factor-heading">${heading}</h2>`,
    3: html`<h3 id="own-two-factor-heading">${heading}</h3>`,
  };
  return html`<section class="warning own-two-factor" aria-labelledby="own-two-factor-heading">
${headings[input.headingLevel]}
<p>You can ${input.action} only while your own account uses two-factor authentication, so that a stolen password alone cannot change anyone's security.</p>
<p>Setting it up takes a couple of minutes with an authenticator app on your phone (your <a href="/settings/security">Security</a> page also offers text-message codes where your account allows them). Then come back here.</p>
<p class="actions"><a class="button primary" href="${setUpTwoFactorPath}">Set up two-factor authentication</a>${input.back ? html`<a class="button" href="${input.back.href}">${input.back.label}</a>` : null}</p>
</section>`;
}
