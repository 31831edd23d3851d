import { html, type Html } from "../html.js";
import { keyPrompt } from "./key-prompt.js";
import { csrfField, field } from "./layout.js";

/**
 * "Confirm it's you" (sudo mode): with 2FA on, a code and/or the user's
 * security key (the browser's prompt, started at once when a key is what the
 * user signs in with); the password when 2FA is off.
 */
export function confirmItsYouForm(input: {
  csrfToken: string;
  next: string;
  needsCode: boolean;
  /** The "send me a code" button (SMS: "Text me a code"), when one of the user's methods sends one. */
  codeOnRequest: { methodId: string; label: string } | null;
  /** The browser's prompt for a key, when the user has one. */
  key?: { options: unknown; autostart: boolean } | null;
  /** False when every method of the user is a key: no code field then. */
  takesCode?: boolean;
  errors?: Partial<Record<string, string>>;
  alert?: string | null;
}): Html {
  const codeField = input.needsCode && input.takesCode !== false;
  return html`<h1>Confirm it's you</h1>
<p>For your security, confirm it's you before changing two-factor settings or acting on other users.</p>
${input.alert ? html`<div class="notice" role="status">${input.alert}</div>` : null}
${input.key
    ? html`<form method="post" action="/settings/confirm" class="key-form" novalidate>
  ${csrfField(input.csrfToken)}
  <input type="hidden" name="next" value="${input.next}">
  <p>Use your security key or passkey: when your browser asks, touch the key or confirm on your device.</p>
  ${keyPrompt({ mode: "authenticate", options: input.key.options, buttonLabel: "Use my security key or passkey", autostart: input.key.autostart, error: input.errors?.credential })}
</form>
${codeField ? html`<p class="or">Or enter a code instead:</p>` : null}`
    : null}
${codeField && input.codeOnRequest
    ? html`<form method="post" action="/settings/confirm/send-code" class="send-code">${csrfField(input.csrfToken)}<input type="hidden" name="next" value="${input.next}"><button type="submit">${input.codeOnRequest.label}</button></form>`
    : null}
${input.needsCode && !codeField
    ? html`<a href="/settings/security" class="cancel">Cancel</a>`
    : html`<form method="post" action="/settings/confirm" novalidate>
  ${csrfField(input.csrfToken)}
  <input type="hidden" name="next" value="${input.next}">
  ${input.needsCode
    ? field({ name: "code", label: "Authentication code", autocomplete: "one-time-code", inputmode: "numeric", autofocus: !input.key?.autostart, maxlength: 10, error: input.errors?.code, hint: input.codeOnRequest ? "The 6-digit code from your authenticator app or a text message." : "The 6-digit code from your authenticator app." })
    : field({ name: "password", label: "Current password", type: "password", autocomplete: "current-password", autofocus: true, maxlength: 256, error: input.errors?.password })}
  <button type="submit" class="primary">Confirm</button>
  <a href="/settings/security" class="cancel">Cancel</a>
</form>`}`;
}
