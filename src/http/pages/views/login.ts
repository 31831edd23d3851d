import { factorFor } from "../../../services/factors/registry.js";
import type { MethodView } from "../../../services/factors/method-view.js";
import { keyPrompt } from "./key-prompt.js";
import { html, type Html } from "../html.js";
import { csrfField, field } from "./layout.js";

export type FieldErrors = Partial<Record<string, string>>;

export function loginForm(input: { csrfToken: string; email?: string; errors?: FieldErrors }): Html {
  return html`<h1>Log in</h1>
<form method="post" action="/login" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({ name: "email", label: "Email", type: "email", value: input.email ?? "", autocomplete: "username", autofocus: !input.errors?.password, error: input.errors?.email, maxlength: 254 })}
  ${field({ name: "password", label: "Password", type: "password", autocomplete: "current-password", autofocus: Boolean(input.errors?.password), error: input.errors?.password, maxlength: 256 })}
  <button type="submit" class="primary">Log in</button>
</form>
<div class="alternatives"><a href="/login/forgot">Forgot password?</a></div>`;
}

function methodPrompt(method: MethodView): Html {
  const prompt = factorFor(method.type).words.secondStepPrompt(method);
  return html`${prompt.before}${prompt.keepTogether ? html`<span class="nowrap">${prompt.keepTogether}</span>` : null}${prompt.after ?? null}`;
}

/** How another method is offered on the second step. */
export function methodChoiceLabel(method: MethodView): string {
  return factorFor(method.type).words.switchLabel(method);
}

/** L7: offered only where policy allows (`days` > 0); unticked unless the user ticked it before a wrong code. */
function rememberBox(days: number, checked: boolean): Html | null {
  if (days <= 0) return null;
  return html`<div class="check"><input type="checkbox" id="field-rememberBrowser" name="rememberBrowser" value="yes"${checked ? html` checked` : null}>
  <label for="field-rememberBrowser">Don't ask again on this browser for ${days} ${days === 1 ? "day" : "days"}</label></div>`;
}

export function secondStepForm(input: {
  csrfToken: string;
  method: MethodView;
  others: MethodView[];
  error?: string;
  alert?: string | null;
  rememberDays?: number;
  rememberChecked?: boolean;
  /** For a factor the browser answers (a security key): the prompt's options. */
  browserOptions?: unknown;
}): Html {
  const factor = factorFor(input.method.type);
  // Several keys are one choice: any of the user's keys answers the same prompt.
  const seen = new Set([methodChoiceLabel(input.method)]);
  const others = input.others.filter((other) => !seen.has(methodChoiceLabel(other)) && Boolean(seen.add(methodChoiceLabel(other))));
  return html`<h1>Two-factor authentication</h1>
${input.alert ? html`<div class="warning" role="alert">${input.alert}</div>` : null}
<p>${methodPrompt(input.method)}</p>
<form method="post" action="/login/two-factor" novalidate>
  ${csrfField(input.csrfToken)}
  <input type="hidden" name="methodId" value="${input.method.id}">
  ${factor.presentation === "browser_prompt"
    ? html`${rememberBox(input.rememberDays ?? 0, input.rememberChecked ?? false)}
  ${keyPrompt({ mode: "authenticate", options: input.browserOptions ?? {}, buttonLabel: "Use security key or passkey", autostart: !input.error, error: input.error })}`
    : codeFields(input)}
</form>
${factor.words.requestChallengeLabel
    ? html`<form method="post" action="/login/two-factor/resend" class="resend">${csrfField(input.csrfToken)}<button type="submit" class="link">Send a new code</button></form>`
    : null}
<div class="alternatives">
  <p class="hint">Can't use this method?</p>
  ${others.map(
    (other) => html`<form method="post" action="/login/two-factor/method" class="inline">
    ${csrfField(input.csrfToken)}<input type="hidden" name="methodId" value="${other.id}">
    <button type="submit" class="link">${methodChoiceLabel(other)}</button></form>`,
  )}
  <a href="/login/recovery">Use a recovery code</a>
</div>`;
}

function codeFields(input: { error?: string; rememberDays?: number; rememberChecked?: boolean }): Html {
  return html`${field({
    name: "code",
    label: "Authentication code",
    autocomplete: "one-time-code",
    inputmode: "numeric",
    autofocus: true,
    maxlength: 10,
    error: input.error,
    hint: "6 digits, e.g. 123456",
  })}
  ${rememberBox(input.rememberDays ?? 0, input.rememberChecked ?? false)}
  <button type="submit" class="primary">Verify</button>`;
}

export function recoveryCodeForm(input: { csrfToken: string; error?: string; hasMethods: boolean }): Html {
  return html`<h1>Use a recovery code</h1>
<p>Enter one of the recovery codes you saved when you set up two-factor authentication. Each code works once.</p>
<form method="post" action="/login/recovery" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({ name: "code", label: "Recovery code", autocomplete: "off", autofocus: true, maxlength: 64, error: input.error, hint: "16 letters and digits, e.g. ABCD-EFGH-JKMN-PQRS" })}
  <button type="submit" class="primary">Verify</button>
</form>
${input.hasMethods ? html`<div class="alternatives"><a href="/login/two-factor">Use your two-factor method instead</a></div>` : null}`;
}
