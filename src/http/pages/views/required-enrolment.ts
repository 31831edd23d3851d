import type { MethodType } from "../../../domain/model.js";
import { html, type Html } from "../html.js";
import { csrfField, formatTime } from "./layout.js";

/** "28 October 2025" for a date at midnight UTC (how admins set it), else the full time. */
export function formatDeadline(milliseconds: number): string {
  const date = new Date(milliseconds);
  if (milliseconds % (24 * 60 * 60 * 1000) !== 0) return formatTime(milliseconds);
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/** Where "Set up now" leads: the authenticator app when the policy allows it (the stronger factor), else SMS. */
export function setupHref(allowedMethods: MethodType[]): string {
  return allowedMethods.includes("totp") ? "/settings/two-factor/setup" : "/settings/two-factor/sms";
}

/** P1 before the date: shown at each login of a user without 2FA (the words of the provider's own notice). */
export function deadlineBanner(deadline: number, allowedMethods: MethodType[]): Html {
  return html`<div class="warning deadline" role="alert" id="two-factor-deadline">
  <strong>Two-factor authentication will become mandatory for your account starting <time datetime="${new Date(deadline).toISOString()}">${formatDeadline(deadline)}</time>.</strong>
  After that date you will have to set it up before you can log in.
  <div class="actions"><a class="button primary" href="${setupHref(allowedMethods)}">Set up now</a></div>
</div>`;
}

/** P1 after the date: the one page this login may see until a first method is confirmed. */
export function requiredEnrolmentPage(input: { csrfToken: string; deadline: number | null; allowedMethods: MethodType[]; error?: string | null }): Html {
  return html`<h1>Set up two-factor authentication</h1>
<div class="warning" role="alert"><strong>Two-factor authentication is mandatory for your account${input.deadline !== null ? html` since <time datetime="${new Date(input.deadline).toISOString()}">${formatDeadline(input.deadline)}</time>` : null}.</strong>
Set it up now to finish logging in. Until it is set up, nothing else in your account is available.</div>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : null}
<p>You will need an authenticator app (Google Authenticator, Authy, 1Password, Microsoft Authenticator…)${input.allowedMethods.includes("sms") ? " or a mobile phone that can receive text messages" : null}.</p>
<div class="actions">
  ${input.allowedMethods.includes("totp")
    ? html`<form method="post" action="/login/enrol/totp" class="inline">${csrfField(input.csrfToken)}<button type="submit" class="primary">Set up an authenticator app</button></form>`
    : null}
  ${input.allowedMethods.includes("sms") ? html`<a class="button" href="/login/enrol/sms">Use SMS codes instead</a>` : null}
</div>
<form method="post" action="/login/enrol/cancel" class="after-actions">${csrfField(input.csrfToken)}<button type="submit" class="link">Cancel and log out</button></form>`;
}

/** After the codes were shown (a reload of the page): only the step that issues the session is left. */
export function codesShownPage(input: { csrfToken: string }): Html {
  return html`<h1>Two-factor authentication is enabled</h1>
<p>Your recovery codes were shown once. Continue when you have saved them.</p>
<form method="post" action="/login/enrol/continue">${csrfField(input.csrfToken)}<button type="submit" class="primary">I have saved my codes</button></form>`;
}
