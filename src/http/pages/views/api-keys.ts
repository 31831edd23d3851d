import type { ApiKeyView } from "../../../services/api-keys/manage-api-keys.js";
import { apiKeyExpiryChoices } from "../../../services/api-keys/create-api-key.js";
import { html, type Html } from "../html.js";
import { csrfField, field, timeElement } from "./layout.js";

const statusLabels: Record<ApiKeyView["status"], string> = { active: "Active", expired: "Expired", revoked: "Revoked" };

function keyTable(keys: ApiKeyView[]): Html {
  if (keys.length === 0) return html`<p id="no-api-keys">You have no API keys yet.</p>`;
  return html`<table class="api-keys" id="api-keys">
  <caption class="visually-hidden">Your API keys</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  ${keys.map(
    (key) => html`<tr>
    <th scope="row">${key.name}</th>
    <td><code class="nowrap">${key.displayPrefix}…${key.last4}</code></td>
    <td>${timeElement(key.createdAt)}</td>
    <td>${timeElement(key.lastUsedAt)}</td>
    <td>${timeElement(key.expiresAt)}</td>
    <td>${statusLabels[key.status]}${key.revokedAt !== null ? html` <span class="hint">${timeElement(key.revokedAt)}</span>` : null}</td>
    <td>${key.status === "active" ? html`<a href="/settings/api-keys/${key.id}/revoke">Revoke<span class="visually-hidden"> ${key.name}</span></a>` : null}</td>
  </tr>`,
  )}
  </tbody>
</table>`;
}

export const apiKeyPages = {
  list(input: { csrfToken: string; keys: ApiKeyView[]; values?: { name?: string; expiresInDays?: string }; errors?: Partial<Record<"name" | "expiresInDays", string>> }): Html {
    const chosen = input.values?.expiresInDays ?? "90";
    return html`<h1>API keys</h1>
<p>An API key lets a script or another system use the platform API as you, without a two-factor prompt. Keep keys secret, give each one a name, and revoke a key you no longer need. A key cannot change security settings or make other keys.</p>
${keyTable(input.keys)}
<section class="card" aria-labelledby="create-api-key">
<h2 id="create-api-key">Create an API key</h2>
<form method="post" action="/settings/api-keys" novalidate>
  ${csrfField(input.csrfToken)}
  ${field({ name: "name", label: "Name", value: input.values?.name ?? "", maxlength: 64, autocomplete: "off", error: input.errors?.name ?? null, hint: "What uses the key, e.g. Billing sync" })}
  <div class="field${input.errors?.expiresInDays ? " has-error" : ""}">
    <label for="field-expiresInDays">Expires in</label>
    <select id="field-expiresInDays" name="expiresInDays"${input.errors?.expiresInDays ? html` aria-invalid="true" aria-describedby="field-expiresInDays-error"` : null}>
      ${apiKeyExpiryChoices.map((days) => html`<option value="${String(days)}"${String(days) === chosen ? html` selected` : null}>${days} days</option>`)}
    </select>
    ${input.errors?.expiresInDays ? html`<p class="error" id="field-expiresInDays-error" role="alert">${input.errors.expiresInDays}</p>` : null}
  </div>
  <button type="submit" class="primary">Create key</button>
</form>
</section>`;
  },

  /** The one time the key is shown (API1): it is stored hashed and cannot be shown again. */
  created(input: { key: string; apiKey: ApiKeyView }): Html {
    return html`<h1>Your new API key</h1>
<div class="warning" role="alert">Copy this key now; it will not be shown again.</div>
<p>Key <strong>${input.apiKey.name}</strong>, expires ${timeElement(input.apiKey.expiresAt)}. Send it as <code>Authorization: Bearer &lt;key&gt;</code> to the platform API under <code>/api/platform/v1/</code>.</p>
<div class="field">
  <label for="new-api-key">API key</label>
  <input id="new-api-key" class="key" type="text" value="${input.key}" readonly autocomplete="off" spellcheck="false">
</div>
<p><button type="button" class="copy" data-copy="${input.key}" hidden>Copy key</button></p>
<p><a href="/settings/api-keys" class="button">I have copied the key</a></p>`;
  },

  confirmRevoke(input: { csrfToken: string; apiKey: ApiKeyView }): Html {
    return html`<h1>Revoke ${input.apiKey.name}?</h1>
<div class="warning" role="alert">Anything using the key <code>${input.apiKey.displayPrefix}…${input.apiKey.last4}</code> stops working at once. This cannot be undone.</div>
<form method="post" action="/settings/api-keys/${input.apiKey.id}/revoke">
  ${csrfField(input.csrfToken)}
  <button type="submit" class="danger">Revoke key</button>
  <a href="/settings/api-keys" class="cancel">Cancel</a>
</form>`;
  },
};
