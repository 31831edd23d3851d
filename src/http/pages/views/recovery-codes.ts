import { html, type Html } from "../html.js";
import { csrfField, field } from "./layout.js";

/** `continueCsrf`: a required enrolment (P1), where "I have saved my codes" is the form that issues the session. */
export function recoveryCodesPage(input: { codes: string[]; justEnabled: boolean; email: string; continueCsrf?: string }): Html {
  const text = `twostep recovery codes for ${input.email}\nEach code works once. Keep them somewhere safe, away from your phone.\n\n${input.codes.join("\n")}\n`;
  const download = `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
  return html`<h1>${input.justEnabled ? "Two-factor authentication is enabled" : "Your new recovery codes"}</h1>
${input.justEnabled ? html`<p class="step">Step 3 of 3 · Save your recovery codes</p>` : null}
<div class="warning" role="alert"><strong>These codes are shown only once.</strong> If you lose your phone, a recovery code is the only way to log in. Print or download them now and keep them away from your phone.</div>
<ol class="codes" id="recovery-codes" aria-label="Recovery codes">
  ${input.codes.map((code) => html`<li><code>${code}</code></li>`)}
</ol>
<div class="actions no-print">
  <a class="button" href="${download}" download="twostep-recovery-codes.txt" id="download-codes">Download (.txt)</a>
  <button type="button" class="button" data-print hidden>Print</button>
  ${input.continueCsrf
    ? html`<form method="post" action="/login/enrol/continue" class="inline">${csrfField(input.continueCsrf)}<button type="submit" class="primary">I have saved my codes</button></form>`
    : html`<a class="button primary" href="/settings/security">I have saved my codes</a>`}
</div>`;
}

export function generateCodesForm(input: { csrfToken: string; errors?: Partial<Record<string, string>>; codeOnRequest?: { methodId: string; label: string } | null; alert?: string | null }): Html {
  return html`<h1>Generate recovery codes</h1>
<div class="warning" role="alert"><strong>Your current recovery codes will stop working at once.</strong> Only the new set will work after this.</div>
${input.alert ? html`<div class="notice" role="status">${input.alert}</div>` : null}
<p>Confirm it's you with your password, or with a current code from one of your methods.</p>
${input.codeOnRequest
    ? html`<form method="post" action="/settings/methods/${input.codeOnRequest.methodId}/send-code" class="send-code">${csrfField(input.csrfToken)}<input type="hidden" name="next" value="recovery-codes"><button type="submit">${input.codeOnRequest.label}</button></form>`
    : null}
<form method="post" action="/settings/recovery-codes" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({ name: "password", label: "Password", type: "password", autocomplete: "current-password", required: false, error: input.errors?.password, maxlength: 256 })}
  <p class="or">or</p>
  ${field({ name: "code", label: "Authentication code", autocomplete: "one-time-code", inputmode: "numeric", required: false, maxlength: 10, error: input.errors?.code })}
  <button type="submit" class="primary">Generate recovery codes</button>
  <a href="/settings/security" class="cancel">Cancel</a>
</form>`;
}
