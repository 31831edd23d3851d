import { formatTime } from "../../../domain/email-words.js";
import type { Account, Role } from "../../../domain/model.js";
import type { AccountUsersPage, AccountUserView } from "../../../services/admin/account-users.js";
import { html, type Html } from "../html.js";
import { csrfField, field } from "./layout.js";

const methodLabels: Record<string, string> = { totp: "Authenticator app", sms: "Text message (SMS)" };
const roleLabels: Record<Role, string> = { admin: "Admin", member: "Member", support: "Support" };

const twoFactorCell = (user: AccountUserView) =>
  user.twoFactorEnabled ? html`Enabled <span class="hint">(${user.methods.map((type) => methodLabels[type] ?? type).join(", ")})</span>` : html`<strong>Disabled</strong>`;
const lastLogin = (at: number | null) => (at === null ? "Never" : formatTime(at));

export interface UsersListInput {
  page: AccountUsersPage;
  search: string;
  withoutTwoFactor: boolean;
}

/** The query string of a list link: the search and filter kept, the cursor given. */
function listHref(input: { search: string; withoutTwoFactor: boolean; cursor?: string | null }): string {
  const query = new URLSearchParams();
  if (input.search) query.set("search", input.search);
  if (input.withoutTwoFactor) query.set("withoutTwoFactor", "1");
  if (input.cursor) query.set("cursor", input.cursor);
  const text = query.toString();
  return text ? `/panel/users?${text}` : "/panel/users";
}

export const usersViews = {
  list(input: UsersListInput): Html {
    const { page } = input;
    return html`<h1>Manage users</h1>
<p class="coverage" role="status"><strong>${page.coverage.withTwoFactor} of ${page.coverage.total} users have 2FA</strong> in ${page.account.name}.</p>
<p><a class="button primary" href="/panel/users/new">Create user</a></p>
<form method="get" action="/panel/users" class="card search" role="search">
  ${field({ name: "search", label: "Search by email or name", value: input.search, required: false, maxlength: 254, autocomplete: "off", hint: "The beginning of an email address or a name." })}
  <div class="field"><label><input type="checkbox" name="withoutTwoFactor" value="1"${input.withoutTwoFactor ? html` checked` : null}> Only users without 2FA</label></div>
  <button type="submit">Search</button>
  ${input.withoutTwoFactor ? html`<a href="${listHref({ search: input.search, withoutTwoFactor: false })}">Show all users</a>` : html`<a href="${listHref({ search: input.search, withoutTwoFactor: true })}">Without 2FA</a>`}
</form>
${page.users.length === 0
  ? html`<p>No users match.</p>`
  : html`<table class="users">
  <caption class="visually-hidden">Users of ${page.account.name}</caption>
  <thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Two-factor authentication</th><th scope="col">Last login</th></tr></thead>
  <tbody>
  ${page.users.map(
    (user) => html`<tr>
    <td><a href="/panel/users/${user.id}">${user.email}</a></td>
    <td>${user.displayName}</td>
    <td>${roleLabels[user.role]}</td>
    <td>${user.active ? "Active" : "Deactivated"}</td>
    <td>${twoFactorCell(user)}</td>
    <td>${lastLogin(user.lastLoginAt)}</td>
  </tr>`,
  )}
  </tbody>
</table>`}
${page.nextCursor ? html`<p><a rel="next" href="${listHref({ search: input.search, withoutTwoFactor: input.withoutTwoFactor, cursor: page.nextCursor })}">Next page</a></p>` : null}`;
  },

  createForm(input: { csrfToken: string; roles: Role[]; values?: { email?: string; displayName?: string; role?: string }; errors?: Partial<Record<string, string>> }): Html {
    const role = input.values?.role ?? "member";
    return html`<h1>Create user</h1>
<p>The new user gets an email with a link to choose their password. The link works once and lasts 7 days.</p>
<form method="post" action="/panel/users/new" novalidate class="card">
  ${csrfField(input.csrfToken)}
  ${field({ name: "email", label: "Email", type: "email", value: input.values?.email ?? "", autocomplete: "off", maxlength: 254, error: input.errors?.email ?? null, autofocus: true })}
  ${field({ name: "displayName", label: "Name", value: input.values?.displayName ?? "", autocomplete: "off", maxlength: 100, error: input.errors?.displayName ?? null })}
  <fieldset class="field${input.errors?.role ? " has-error" : ""}"><legend>Role</legend>
  ${input.roles.map((option) => html`<label><input type="radio" name="role" value="${option}"${option === role ? html` checked` : null}> ${roleLabels[option]}</label> `)}
  ${input.errors?.role ? html`<p class="error" role="alert">${input.errors.role}</p>` : null}
  </fieldset>
  <button type="submit" class="primary">Create user and send invitation</button>
  <a href="/panel/users">Cancel</a>
</form>`;
  },

  record(input: { csrfToken: string; account: Account; user: AccountUserView; isSelf: boolean; error?: string | null }): Html {
    const { user } = input;
    return html`<h1>${user.displayName}</h1>
<p><a href="/panel/users">Back to Manage users</a></p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : null}
<dl class="record">
  <dt>Email</dt><dd>${user.email}</dd>
  <dt>Role</dt><dd>${roleLabels[user.role]}</dd>
  <dt>Status</dt><dd>${user.active ? "Active" : "Deactivated"}</dd>
  <dt>Two-Factor Authentication</dt><dd>${twoFactorCell(user)}</dd>
  <dt>Last login</dt><dd>${lastLogin(user.lastLoginAt)}</dd>
</dl>
${user.twoFactorEnabled && input.account.kind === "reseller" && !input.isSelf
  ? html`<p><a href="/panel/users/${user.id}/reset-request">Request a two-factor reset (lost device)</a></p>`
  : null}
${input.isSelf
  ? html`<p class="hint">This is you: you cannot deactivate your own user.</p>`
  : user.active
    ? html`<p><a class="button danger" href="/panel/users/${user.id}/deactivate">Deactivate user</a></p>`
    : html`<form method="post" action="/panel/users/${user.id}/reactivate" class="inline">${csrfField(input.csrfToken)}<button type="submit">Reactivate user</button></form>`}`;
  },

  confirmDeactivate(input: { csrfToken: string; user: AccountUserView }): Html {
    return html`<h1>Deactivate ${input.user.displayName}?</h1>
<p>${input.user.email} will be signed out everywhere and will not be able to sign in, and their API keys stop working. They get an email about it. You can reactivate the user later.</p>
<form method="post" action="/panel/users/${input.user.id}/deactivate" class="card">
  ${csrfField(input.csrfToken)}
  <button type="submit" class="danger">Deactivate user</button>
  <a href="/panel/users/${input.user.id}">Cancel</a>
</form>`;
  },

  failed(message: string): Html {
    return html`<h1>Manage users</h1><p class="error" role="alert">${message}</p><p><a href="/panel/users">Back to the first page</a></p>`;
  },

  forbidden(): Html {
    return html`<h1>Not allowed</h1><p>Only an account's administrators can manage its users.</p><p><a href="/settings/security">Back to security</a></p>`;
  },
};
