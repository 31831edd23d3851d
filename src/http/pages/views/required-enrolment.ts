import { methodTypes, type MethodType } from "../../../domain/model.js";
import { registeredFactors } from "../../../services/factors/registry.js";
import { html, type Html } from "../html.js";
import { csrfField, formatTime } from "./layout.js";

/** "28 October 2025" for a date at midnight UTC (how admins set it), else the full time. */
export function formatDeadline(milliseconds: number): string {
  const date = new Date(milliseconds);
  if (milliseconds % (24 * 60 * 60 * 1000) !== 0) return formatTime(milliseconds);
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/** Where each factor's setup starts from the security page, in the order they are offered. */
const settingsSetup: Record<MethodType, string> = { totp: "/settings/two-factor/setup", sms: "/settings/two-factor/sms", webauthn: "/settings/security-keys/new" };

/** Where "Set up now" leads: the first method the policy allows, in the registry's order (the authenticator app before SMS). */
export function setupHref(allowedMethods: MethodType[]): string {
  const first = methodTypes.find((type) => allowedMethods.includes(type)) ?? "totp";
  return settingsSetup[first];
}

/** P1 after the date: how each factor's setup starts on the enrolment page. */
const enrolmentChoice: Record<MethodType, (csrfToken: string, primary: boolean) => Html> = {
  totp: (csrfToken, primary) => html`<form method="post" action="/login/enrol/totp" class="inline">${csrfField(csrfToken)}<button type="submit"${primary ? html` class="primary"` : null}>Set up an authenticator app</button></form>`,
  sms: (_csrfToken, primary) => html`<a class="button${primary ? " primary" : ""}" href="/login/enrol/sms">${primary ? "Set up SMS codes" : "Use SMS codes instead"}</a>`,
  webauthn: (_csrfToken, primary) => html`<a class="button${primary ? " primary" : ""}" href="/login/enrol/security-key">${primary ? "Add a security key or passkey" : "Use a security key or passkey"}</a>`,
};

/** "You will need A or B": what the allowed methods need, in the words of each factor. */
function whatYouNeed(allowedMethods: MethodType[]): string {
  return registeredFactors().filter((factor) => allowedMethods.includes(factor.type)).map((factor) => factor.words.whatYouNeed).join(" or ");
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
<p>You will need ${whatYouNeed(input.allowedMethods)}.</p>
<div class="actions">
  ${methodTypes.filter((type) => input.allowedMethods.includes(type)).map((type, index) => enrolmentChoice[type](input.csrfToken, index === 0))}
</div>
<form method="post" action="/login/enrol/cancel" class="after-actions">${csrfField(input.csrfToken)}<button type="submit" class="link">Cancel and log out</button></form>`;
}

/** After the codes were shown (a reload of the page): only the step that issues the session is left. */
export function codesShownPage(input: { csrfToken: string }): Html {
  return html`<h1>Two-factor authentication is enabled</h1>
<p>Your recovery codes were shown once. Continue when you have saved them.</p>
<form method="post" action="/login/enrol/continue">${csrfField(input.csrfToken)}<button type="submit" class="primary">I have saved my codes</button></form>`;
}
