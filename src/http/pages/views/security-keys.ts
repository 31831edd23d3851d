import { html, type Html } from "../html.js";
import { keyPrompt } from "./key-prompt.js";
import { csrfField, field } from "./layout.js";

const title = "Add a security key or passkey";

/** Step 1 when 2FA is off: the password again. */
export function keyPasswordForm(input: { csrfToken: string; error?: string }): Html {
  return html`<h1>${title}</h1>
<p class="step">Step 1 of 2 · Confirm it's you</p>
<p>Enter your password to continue. A security key (such as a YubiKey) or a passkey on your phone or computer signs you in with a touch, and cannot be tricked by a fake site.</p>
<form method="post" action="/settings/security-keys/new" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({ name: "password", label: "Password", type: "password", autocomplete: "current-password", autofocus: true, error: input.error, maxlength: 256 })}
  <button type="submit" class="primary">Next</button>
  <a href="/settings/security" class="cancel">Cancel</a>
</form>`;
}

/** Step 2: a name, then the browser's prompt; the answer is posted with the name. At login (P1) it is the only step. */
export function keyRegisterForm(input: {
  csrfToken: string;
  options: unknown;
  name?: string;
  errors?: { name?: string; credential?: string };
  paths?: { action: string; cancel: string; step: string | null };
}): Html {
  const paths = input.paths ?? { action: "/settings/security-keys", cancel: "/settings/security", step: "Step 2 of 2 · Use your key" };
  return html`<h1>${title}</h1>
${paths.step ? html`<p class="step">${paths.step}</p>` : null}
<p>Name the key so you can tell it apart later, then select <strong>Add security key or passkey</strong> and follow your browser's prompt: insert and touch your security key, or confirm with your fingerprint, face or screen lock.</p>
<form method="post" action="${paths.action}" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({ name: "name", label: "Name of the key", value: input.name ?? "", autocomplete: "off", autofocus: true, maxlength: 64, required: true, error: input.errors?.name, hint: "For example: YubiKey on my keyring, or Work laptop" })}
  ${keyPrompt({ mode: "register", options: input.options, buttonLabel: "Add security key or passkey", autostart: false, error: input.errors?.credential })}
  <a href="${paths.cancel}" class="cancel">Cancel</a>
</form>`;
}
