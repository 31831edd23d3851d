import { html, type Html } from "../html.js";
import { csrfField, field } from "./layout.js";

/** `required`: the setup of a login whose only way forward is enrolment (P1): no password again, no cancel to settings. */
export interface SetupPaths {
  base: string;
  cancel: string;
  askPassword: boolean;
}

export const settingsSmsPaths: SetupPaths = { base: "/settings/two-factor/sms", cancel: "/settings/security", askPassword: true };

export function smsEnrolmentForm(input: { csrfToken: string; errors?: Partial<Record<string, string>>; phoneNumber?: string; paths?: SetupPaths }): Html {
  const paths = input.paths ?? settingsSmsPaths;
  return html`<h1>Set up SMS codes</h1>
<p class="step">Step 1 of 3 · Your mobile number</p>
<p>We will text a 6-digit code to this number each time you log in. An authenticator app is safer than SMS; use SMS as a backup if you can.</p>
<form method="post" action="${paths.base}" novalidate>
  ${csrfField(input.csrfToken)}
  ${paths.askPassword ? field({ name: "password", label: "Password", type: "password", autocomplete: "current-password", autofocus: !input.errors?.phoneNumber, error: input.errors?.password, maxlength: 256 }) : null}
  ${field({
    name: "phoneNumber",
    label: "Mobile number",
    type: "tel",
    autocomplete: "tel",
    value: input.phoneNumber ?? "",
    autofocus: Boolean(input.errors?.phoneNumber) || !paths.askPassword,
    error: input.errors?.phoneNumber,
    hint: "With the country code, e.g. +44 7400 123456",
    maxlength: 32,
  })}
  <button type="submit" class="primary">Next</button>
  <a href="${paths.cancel}" class="cancel">Cancel</a>
</form>`;
}

/** Step 2 of the setup, or the last step of a reset (M4), which has no recovery-codes step and keeps the old number until now. */
export function smsConfirmForm(input: { csrfToken: string; methodId: string; maskedPhone: string; replacing?: boolean; error?: string; alert?: string | null; paths?: SetupPaths }): Html {
  const paths = input.paths ?? settingsSmsPaths;
  return html`<h1>${input.replacing ? "Confirm your new number" : "Set up SMS codes"}</h1>
${input.replacing ? null : html`<p class="step">Step 2 of 3 · Enter the code</p>`}
${input.alert ? html`<div class="notice" role="status">${input.alert}</div>` : null}
<p>We sent a text message with a 6-digit code to <strong class="nowrap">${input.maskedPhone}</strong>.${input.replacing ? " Your current number keeps working until you enter it." : null}</p>
<form method="post" action="${paths.base}/${input.methodId}" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({ name: "code", label: "Code from the text message", autocomplete: "one-time-code", inputmode: "numeric", maxlength: 10, autofocus: true, error: input.error, hint: "6 digits" })}
  <button type="submit" class="primary">${input.replacing ? "Confirm" : "Enable"}</button>
  <a href="${paths.cancel}" class="cancel">Cancel</a>
</form>
<form method="post" action="${paths.base}/${input.methodId}/resend" class="resend">${csrfField(input.csrfToken)}<button type="submit" class="link">Send a new code</button></form>`;
}
