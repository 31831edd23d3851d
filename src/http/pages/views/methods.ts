import { enrolmentFor } from "../../../services/factors/enrolments.js";
import { factorFor } from "../../../services/factors/registry.js";
import type { MethodView } from "../../../services/factors/method-view.js";
import { html, type Html } from "../html.js";
import { csrfField, field } from "./layout.js";

function sendCodeButton(csrfToken: string, method: MethodView, next: string): Html | null {
  const label = factorFor(method.type).words.requestChallengeLabel;
  if (!label) return null;
  return html`<form method="post" action="/settings/methods/${method.id}/send-code" class="send-code">
  ${csrfField(csrfToken)}<input type="hidden" name="next" value="${next}">
  <button type="submit">${label}</button>
</form>`;
}

function codePrompt(method: MethodView): string {
  return factorFor(method.type).words.verifyPrompt(method);
}

/** `name` is what the user typed, kept when it was refused; the current name otherwise. */
export function renameForm(input: { csrfToken: string; method: MethodView; name?: string; error?: string }): Html {
  return html`<h1>Rename ${input.method.name}</h1>
<form method="post" action="/settings/methods/${input.method.id}/rename" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({ name: "name", label: "Name", value: input.name ?? input.method.name, autofocus: true, maxlength: 64, error: input.error, hint: "e.g. Work phone, Personal authenticator" })}
  <button type="submit" class="primary">Save</button>
  <a href="/settings/security" class="cancel">Cancel</a>
</form>`;
}

export function deleteMethodForm(input: { csrfToken: string; method: MethodView; isLast: boolean; error?: string; alert?: string | null }): Html {
  return html`<h1>Delete ${input.method.name}</h1>
${input.alert ? html`<div class="notice" role="status">${input.alert}</div>` : null}
<div class="warning" role="alert">${input.isLast
    ? "This is your only method: deleting it disables two-factor authentication, and every recovery code stops working."
    : "You will no longer be able to log in with this method."}</div>
${factorFor(input.method.type).removal === "recent_second_factor"
    ? html`<p>You confirmed it's you a moment ago, so nothing more is asked.</p>${input.error ? html`<p class="error" role="alert">${input.error}</p>` : null}`
    : html`<p>${codePrompt(input.method)}</p>
${sendCodeButton(input.csrfToken, input.method, "delete")}`}
<form method="post" action="/settings/methods/${input.method.id}/delete" novalidate>
  ${csrfField(input.csrfToken)}
  ${factorFor(input.method.type).removal === "recent_second_factor" ? null : field({ name: "code", label: "Authentication code", autocomplete: "one-time-code", inputmode: "numeric", maxlength: 10, error: input.error })}
  <button type="submit" class="danger">Delete method</button>
  <a href="/settings/security" class="cancel">Cancel</a>
</form>`;
}

export function resetMethodForm(input: { csrfToken: string; method: MethodView; errors?: Partial<Record<string, string>>; alert?: string | null; phoneNumber?: string }): Html {
  return html`<h1>Reset ${input.method.name}</h1>
${input.alert ? html`<div class="notice" role="status">${input.alert}</div>` : null}
<p>Moving to a new phone? Confirm with a current code, then set the method up again. Your current ${factorFor(input.method.type).words.deviceNoun} keeps working until the new one is confirmed.</p>
<p>${codePrompt(input.method)}</p>
${sendCodeButton(input.csrfToken, input.method, "reset")}
<form method="post" action="/settings/methods/${input.method.id}/reset" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({ name: "code", label: "Authentication code", autocomplete: "one-time-code", inputmode: "numeric", maxlength: 10, error: input.errors?.code })}
  ${(enrolmentFor(input.method.type).reset?.fields ?? []).map((extra) =>
    field({ name: extra.name, label: extra.label, type: extra.type, autocomplete: extra.autocomplete, value: input.phoneNumber ?? "", maxlength: 32, error: input.errors?.[extra.name], hint: extra.hint }),
  )}
  <button type="submit" class="primary">Continue</button>
  <a href="/settings/security" class="cancel">Cancel</a>
</form>`;
}
