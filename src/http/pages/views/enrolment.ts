import type { TotpEnrolmentView } from "../../../services/factors/totp/enrolment.js";
import { html, type Html } from "../html.js";
import { csrfField, field } from "./layout.js";

export function enrolmentPasswordForm(input: { csrfToken: string; error?: string }): Html {
  return html`<h1>Set up two-factor authentication</h1>
<p class="step">Step 1 of 3 · Confirm it's you</p>
<p>Enter your password to continue. Each person needs their own login: an authenticator app code cannot be shared between people.</p>
<form method="post" action="/settings/two-factor/setup" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({ name: "password", label: "Password", type: "password", autocomplete: "current-password", autofocus: true, error: input.error, maxlength: 256 })}
  <button type="submit" class="primary">Next</button>
  <a href="/settings/security" class="cancel">Cancel</a>
</form>`;
}

export function enrolmentScanForm(input: { csrfToken: string; view: TotpEnrolmentView; qrPngDataUrl: string; error?: string; base?: string; cancel?: string }): Html {
  return html`<h1>Set up two-factor authentication</h1>
<p class="step">Step 2 of 3 · Scan the QR code</p>
<div class="enrol">
  <figure class="qr">
    <img src="${input.qrPngDataUrl}" alt="QR code to scan with your authenticator app" id="qr-code">
    <figcaption>Scan with your authenticator app</figcaption>
  </figure>
  <div>
    <p>Can't scan it? Enter this key in your app instead:</p>
    <p><code class="key" id="totp-key" aria-label="Setup key">${input.view.keyGrouped}</code>
    <button type="button" class="copy" data-copy="${input.view.keyBase32}" hidden>Copy key</button></p>
    <details><summary>Show the setup link</summary><p><code class="uri" id="totp-uri">${input.view.keyUri}</code></p></details>
  </div>
</div>
<form method="post" action="${input.base ?? "/settings/two-factor/setup"}/${input.view.methodId}" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({
    name: "code",
    label: "Code from the app",
    autocomplete: "one-time-code",
    inputmode: "numeric",
    maxlength: 10,
    autofocus: true,
    error: input.error,
    hint: "Enter the 6-digit code your app now shows for twostep.",
  })}
  <button type="submit" class="primary">Enable</button>
  <a href="${input.cancel ?? "/settings/security"}" class="cancel">Cancel</a>
</form>`;
}
