import { html, type Html } from "../html.js";
import { csrfField, field } from "./layout.js";
import type { PasswordLinkView } from "../../../services/reset/password-reset-complete.js";
import type { FieldErrors } from "./login.js";

/** The one answer to "Forgot password?", the same for every email (PR1: nothing tells whether an account exists). */
export const resetRequestedWords = "If an account exists for that address, we have sent a link to reset its password. The link works once and expires soon. Check your inbox and your spam folder.";

export function forgotPasswordForm(input: { csrfToken: string; email?: string; errors?: FieldErrors }): Html {
  return html`<h1>Forgot your password?</h1>
<p>Enter the email address you log in with. We will send you a link to choose a new password.</p>
<form method="post" action="/login/forgot" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({ name: "email", label: "Email", type: "email", value: input.email ?? "", autocomplete: "username", autofocus: true, error: input.errors?.email, maxlength: 254 })}
  <button type="submit" class="primary">Send the link</button>
</form>
<div class="alternatives"><a href="/login">Back to log in</a></div>`;
}

export function resetRequestedPage(): Html {
  return html`<h1>Check your email</h1>
<p role="status">${resetRequestedWords}</p>
<div class="alternatives"><a href="/login">Back to log in</a></div>`;
}

/** The words of the set-password page: an invited user chooses a first password, anyone else a new one. */
export function passwordLinkTitle(link: Pick<PasswordLinkView, "purpose">): string {
  return link.purpose === "invitation" ? "Set your password" : "Choose a new password";
}

export function newPasswordForm(input: { csrfToken: string; token: string; link: PasswordLinkView; errors?: FieldErrors }): Html {
  const invited = input.link.purpose === "invitation";
  return html`${invited
    ? html`<h1>Welcome to ${input.link.accountName}</h1>
<p>Hello ${input.link.displayName}, you are invited to ${input.link.accountName} on twostep. Choose the password you will log in with, together with your email address.</p>
<p class="hint">If ${input.link.accountName} requires two-factor authentication, you set it up right after.</p>`
    : html`<h1>Choose a new password</h1>
<p>After this you log in again: if your account uses two-factor authentication, you will be asked for your second step.</p>`}
<form method="post" action="/login/reset" novalidate>
  ${csrfField(input.csrfToken)}
  <input type="hidden" name="token" value="${input.token}">
  ${field({ name: "newPassword", label: invited ? "Password" : "New password", type: "password", autocomplete: "new-password", autofocus: !input.errors?.confirmPassword, error: input.errors?.newPassword, hint: "At least 12 characters.", maxlength: 256 })}
  ${field({ name: "confirmPassword", label: invited ? "Password again" : "New password again", type: "password", autocomplete: "new-password", autofocus: Boolean(input.errors?.confirmPassword), error: input.errors?.confirmPassword, maxlength: 256 })}
  <button type="submit" class="primary">${invited ? "Set your password" : "Set the new password"}</button>
</form>`;
}

export function resetLinkInvalidPage(message: string): Html {
  return html`<h1>This link does not work</h1>
<div class="warning" role="alert">${message}</div>
<p>Came here from an invitation? Ask for a new link with the email address you were invited with, and choose your password from it.</p>
<div class="alternatives"><a href="/login/forgot">Ask for a new link</a> <a href="/login">Back to log in</a></div>`;
}
