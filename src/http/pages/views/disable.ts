import { html, type Html } from "../html.js";
import { csrfField, field } from "./layout.js";

export function disableForm(input: { csrfToken: string; needsNewPassword: boolean; errors?: Partial<Record<string, string>> }): Html {
  return html`<h1>Disable two-factor authentication</h1>
<div class="warning" role="alert">Your authenticator app and every recovery code stop working, and your account is protected by your password alone. Your other sessions are logged out.</div>
<form method="post" action="/settings/two-factor/disable" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({ name: "password", label: "Current password", type: "password", autocomplete: "current-password", autofocus: true, error: input.errors?.password, maxlength: 256 })}
  ${input.needsNewPassword
    ? html`<p>Your account's policy also sets a new password when two-factor authentication is disabled.</p>
  ${field({ name: "newPassword", label: "New password", type: "password", autocomplete: "new-password", error: input.errors?.newPassword, hint: "At least 12 characters.", maxlength: 256 })}`
    : null}
  <button type="submit" class="danger">Disable two-factor authentication</button>
  <a href="/settings/security" class="cancel">Cancel</a>
</form>`;
}
