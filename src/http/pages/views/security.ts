import { enrolmentFor } from "../../../services/factors/enrolments.js";
import { factorFor, registeredFactors } from "../../../services/factors/registry.js";
import { setupPages } from "../setup-paths.js";
import { eventLabels } from "../../../services/events/audit.js";
import type { SecurityOverview } from "../../../services/enrolment/security-overview.js";
import { html, type Html } from "../html.js";
import { csrfField, formatTime, timeElement } from "./layout.js";
import type { MethodView } from "../../../services/factors/method-view.js";
import { deadlineBanner } from "./required-enrolment.js";
import { sessionsViews } from "./sessions.js";


/** `apps`: "Apps you are signed in to" (issue 15), or null when there is none. `browsers`: the trusted browsers section (L7; headed "Remembered browsers", as the user ticked "Remember this browser"), or null when there is nothing to show. */
export function securityPage(overview: SecurityOverview, csrfToken: string, browsers: Html | null = null, apps: Html | null = null): Html {
  return html`<h1>Security</h1>
${overview.twoFactorDeadline !== null ? deadlineBanner(overview.twoFactorDeadline, overview.policy.allowedMethods) : null}
${overview.recommendReset
    ? html`<div class="warning" role="alert"><strong>You logged in with a recovery code.</strong> If you lost your authenticator app, we recommend you reset two-factor authentication: disable it and set it up again on your new device.
    <a href="/settings/two-factor/disable">Reset two-factor authentication</a></div>`
    : null}
<section aria-labelledby="twofa-heading" class="card">
  <h2 id="twofa-heading">Two-factor authentication</h2>
  <p>Status: <strong class="${overview.twoFactorEnabled ? "status-on" : "status-off"}">${overview.twoFactorEnabled ? "Enabled" : "Disabled"}</strong></p>
  ${overview.twoFactorEnabled ? enabledSection(overview, csrfToken) : disabledSection(overview)}
</section>
${browsers}
${apps}
${sessionsViews.link()}
<section aria-labelledby="events-heading" class="card">
  <h2 id="events-heading">Recent security events</h2>
  ${overview.events.length === 0
    ? html`<p>No events yet.</p>`
    : html`<table><thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">From</th></tr></thead><tbody>
    ${overview.events.map((event) => html`<tr><td>${formatTime(event.createdAt)}</td><td>${eventLabels[event.type]}</td><td>${event.clientAddress ?? "—"}</td></tr>`)}
    </tbody></table>`}
  <p><a href="/settings/events">See all events</a></p>
</section>`;
}

function disabledSection(overview: SecurityOverview): Html {
  const allowed = registeredFactors().filter((factor) => overview.policy.allowedMethods.includes(factor.type));
  return html`<p>Protect your account with a code from an authenticator app (Google Authenticator, Authy, 1Password, Microsoft Authenticator…) in addition to your password.</p>
  <div class="actions">
  ${allowed.map((factor, index) =>
    index === 0
      ? html`<a class="button primary" href="${setupPages[factor.type].start}">Set up two-factor authentication</a>`
      : html`<a class="button" href="${setupPages[factor.type].start}">${factor.words.offerLabel}</a>`,
  )}
  </div>`;
}

function methodRow(method: MethodView, csrfToken: string): Html {
  return html`<tr>
    <td>${method.name}${method.displayHint ? html`<br><span class="hint nowrap">${method.displayHint}</span>` : null}</td>
    <td>${factorFor(method.type).words.label}</td>
    <td class="nowrap">${method.isDefault
        ? html`<span class="badge">Default</span>`
        : html`<form method="post" action="/settings/methods/${method.id}/default" class="inline">${csrfField(csrfToken)}<button type="submit" class="link">Make default</button></form>`}</td>
    <td>${timeElement(method.createdAt)}</td>
    <td>${timeElement(method.lastUsedAt)}</td>
    <td class="row-actions">
      <a href="/settings/methods/${method.id}/rename">Rename</a>
      ${enrolmentFor(method.type).reset ? html`<a href="/settings/methods/${method.id}/reset">Reset</a>` : null}
      <a href="/settings/methods/${method.id}/delete">Delete</a>
    </td>
  </tr>`;
}

function enabledSection(overview: SecurityOverview, csrfToken: string): Html {
  // A factor is offered while policy allows it and the user has none of it yet; one of which a user may have several (keys) stays offered.
  const addable = registeredFactors().filter(
    (factor) => overview.policy.allowedMethods.includes(factor.type) && (factor.several || !overview.methods.some((method) => method.type === factor.type)),
  );
  return html`<h3>Methods</h3>
  <table class="methods"><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Default</th><th scope="col">Added</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>
  ${overview.methods.map((method) => methodRow(method, csrfToken))}
  </tbody></table>
  ${addable.length > 0
    ? html`<div class="actions">
    ${addable.map((factor) => html`<a class="button" href="${setupPages[factor.type].start}">${factor.words.addLabel}</a>`)}
  </div>`
    : null}
  <h3>Recovery codes</h3>
  <p><strong>${overview.recoveryCodes.unused}</strong> of ${overview.recoveryCodes.total} recovery codes unused.</p>
  ${overview.recoveryCodes.fewLeft ? html`<p class="warning" role="alert">You are running out of recovery codes. Generate a new set and store it somewhere safe.</p>` : null}
  <div class="actions">
    <a class="button" href="/settings/recovery-codes">Generate recovery codes</a>
    <a class="button danger" href="/settings/two-factor/disable">Disable two-factor authentication</a>
  </div>`;
}
