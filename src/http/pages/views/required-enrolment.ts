import { methodTypes, type MethodType } from "../../../services/model.js";
import type { Factor } from "../../../services/factors/factor.js";
import { registeredFactors } from "../../../services/factors/registry.js";
import { setupPages } from "../setup-paths.js";
import { html, type Html } from "../html.js";
import { csrfField, formatTime } from "./layout.js";

/** "28 October 2025" for a date at midnight UTC (how admins set it), else the full time. */
export function formatDeadline(milliseconds: number): string {
  const date = new Date(milliseconds);
  if (milliseconds % (24 * 60 * 60 * 1000) !== 0) return formatTime(milliseconds);
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/** Where "Set up now" leads: the first method the policy allows, in the registry's order (the authenticator app before SMS). */
export function setupHref(allowedMethods: MethodType[]): string {
  const first = methodTypes.find((type) => allowedMethods.includes(type)) ?? "totp";
  return setupPages[first].start;
}

/** "A, B or C". */
function eitherOf(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}` : (items[0] ?? "");
}

/** P1 after the date: a factor's setup as a choice on the enrolment page; the first is the primary one. */
function enrolmentChoice(factor: Factor, csrfToken: string, primary: boolean): Html {
  const { path, post } = setupPages[factor.type].atLogin;
  const label = primary ? factor.words.setupLabel : factor.words.offerLabel;
  return post
    ? html`<form method="post" action="${path}" class="inline">${csrfField(csrfToken)}<button type="submit"${primary ? html` class="primary"` : null}>${label}</button></form>`
    : html`<a class="button${primary ? " primary" : ""}" href="${path}">${label}</a>`;
}

/** P1 before the date: shown at each login of a user without 2FA (the words of the provider's own notice). */
export function deadlineBanner(deadline: number, allowedMethods: MethodType[]): Html {
  return html`<div class="warning deadline" role="alert" id="two-factor-deadline">
  <strong>Two-factor authentication will become mandatory for your account starting <time datetime="${new Date(deadline).toISOString()}">${formatDeadline(deadline)}</time>.</strong>
  After that date you will have to set it up before you can log in.
  <div class="actions"><a class="button primary" href="${setupHref(allowedMethods)}">Set up now</a></div>
</div>`;
}

/**
 * P1 after the date: the one page this login may see until a first method is confirmed. `requiredBy`:
 * the app whose sign-in asks for a second factor when the account's policy does not (`--require-two-factor`).
 */
export function requiredEnrolmentPage(input: { csrfToken: string; deadline: number | null; requiredBy?: string | null; allowedMethods: MethodType[]; error?: string | null }): Html {
  const allowed = registeredFactors().filter((factor) => input.allowedMethods.includes(factor.type));
  const why =
    input.deadline === null && input.requiredBy
      ? html`<strong>${input.requiredBy} requires two-factor authentication.</strong>`
      : html`<strong>Two-factor authentication is mandatory for your account${input.deadline !== null ? html` since <time datetime="${new Date(input.deadline).toISOString()}">${formatDeadline(input.deadline)}</time>` : null}.</strong>`;
  return html`<h1>Set up two-factor authentication</h1>
<div class="warning" role="alert">${why}
Set it up now to finish logging in. Until it is set up, nothing else in your account is available.</div>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : null}
<p>You will need ${eitherOf(allowed.map((factor) => factor.words.whatYouNeed))}.</p>
<div class="actions">
  ${allowed.map((factor, index) => enrolmentChoice(factor, input.csrfToken, index === 0))}
</div>
<form method="post" action="/login/enrol/cancel" class="after-actions">${csrfField(input.csrfToken)}<button type="submit" class="link">Cancel and log out</button></form>`;
}

/** After the codes were shown (a reload of the page): only the step that issues the session is left. */
export function codesShownPage(input: { csrfToken: string }): Html {
  return html`<h1>Two-factor authentication is enabled</h1>
<p>Your recovery codes were shown once. Continue when you have saved them.</p>
<form method="post" action="/login/enrol/continue">${csrfField(input.csrfToken)}<button type="submit" class="primary">I have saved my codes</button></form>`;
}
