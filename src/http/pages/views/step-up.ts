import { html, type Html } from "../html.js";
import { csrfField, field } from "./layout.js";

/** "Confirm it's you" (sudo mode): a code when 2FA is on, the password when it is off. */
export function confirmItsYouForm(input: {
  csrfToken: string;
  next: string;
  needsCode: boolean;
  smsMethodId: string | null;
  errors?: Partial<Record<string, string>>;
  alert?: string | null;
}): Html {
  return html`<h1>Confirm it's you</h1>
<p>For your security, confirm it's you before changing two-factor settings or acting on other users.</p>
${input.alert ? html`<div class="notice" role="status">${input.alert}</div>` : null}
${input.needsCode && input.smsMethodId
    ? html`<form method="post" action="/settings/confirm/send-code" class="send-code">${csrfField(input.csrfToken)}<input type="hidden" name="next" value="${input.next}"><button type="submit">Text me a code</button></form>`
    : null}
<form method="post" action="/settings/confirm" novalidate>
  ${csrfField(input.csrfToken)}
  <input type="hidden" name="next" value="${input.next}">
  ${input.needsCode
    ? field({ name: "code", label: "Authentication code", autocomplete: "one-time-code", inputmode: "numeric", autofocus: true, maxlength: 10, error: input.errors?.code, hint: input.smsMethodId ? "The 6-digit code from your authenticator app or a text message." : "The 6-digit code from your authenticator app." })
    : field({ name: "password", label: "Current password", type: "password", autocomplete: "current-password", autofocus: true, maxlength: 256, error: input.errors?.password })}
  <button type="submit" class="primary">Confirm</button>
  <a href="/settings/security" class="cancel">Cancel</a>
</form>`;
}
