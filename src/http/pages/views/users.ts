import type { Account, Role } from "../../../services/model.js";
import type { AccountUsersPage, AccountUserView } from "../../../services/admin/account-users.js";
import { html, type Html } from "../html.js";
import { csrfField, field, timeElement } from "./layout.js";

const methodLabels: Record<string, string> = { totp: "Authenticator app", sms: "Text message (SMS)" };
const roleLabels: Record<Role, string> = { admin: "Admin", member: "Member", support: "Support" };
/** What each role may do, in a line the admin reads before choosing one (the access table in domain/access.ts decides). */
const roleHints: Record<Role, string> = {
  admin: "Creates and deactivates users, sets the two-factor policy and asks support to reset a user's two-factor authentication.",
  member: "Their own login and security settings (in a reseller account also the storefront manager); not Manage users or the two-factor policy.",
  support: "Platform support: reviews two-factor reset requests and sees every account's events.",
};

/** "Enabled (Authenticator app)" or "Disabled", in the words and colours of the storefront manager's field. */
const twoFactorCell = (user: AccountUserView) =>
  user.twoFactorEnabled
    ? html`<strong class="status-on">Enabled</strong> <span class="hint">(${user.methods.map((type) => methodLabels[type] ?? type).join(", ")})</span>`
    : html`<strong class="status-off">Disabled</strong>`;
const lastLogin = (at: number | null) => timeElement(at);

export interface UsersListInput {
  page: AccountUsersPage;
  search: string;
  withoutTwoFactor: boolean;
  /** Whether this actor may create users here (platform support may look, not create). */
  mayCreate: boolean;
}

/** What the record page offers this actor for this user, as the access table would answer. */
export interface RecordActions {
  deactivate: boolean;
  requestReset: boolean;
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
    const filter = (withoutTwoFactor: boolean, label: string) =>
      html`<a href="${listHref({ search: input.search, withoutTwoFactor })}"${input.withoutTwoFactor === withoutTwoFactor ? html` aria-current="true"` : null}>${label}</a>`;
    return html`<h1>Manage users</h1>
<div class="list-head">
  <p class="coverage" role="status"><strong>${page.coverage.withTwoFactor} of ${page.coverage.total} ${page.coverage.total === 1 ? "user has" : "users have"} 2FA</strong> in ${page.account.name}.</p>
  ${input.mayCreate ? html`<a class="button primary" href="/panel/users/new">Create user</a>` : null}
</div>
<nav class="filters" aria-label="Which users">${filter(false, "All users")}${filter(true, "Without 2FA")}</nav>
<form method="get" action="/panel/users" class="search" role="search">
  ${input.withoutTwoFactor ? html`<input type="hidden" name="withoutTwoFactor" value="1">` : null}
  ${field({ name: "search", label: "Search by email or name", type: "search", value: input.search, required: false, maxlength: 254, autocomplete: "off", hint: "The beginning of an email address or a name." })}
  <button type="submit">Search</button>
  ${input.search ? html`<a href="${listHref({ search: "", withoutTwoFactor: input.withoutTwoFactor })}">Clear search</a>` : null}
</form>
${page.users.length === 0
  ? html`<p class="empty">${input.search ? "No user's email or name starts with that." : input.withoutTwoFactor ? "Every user has two-factor authentication." : "This account has no users yet."}</p>`
  : html`<div class="table-scroll"><table class="users">
  <caption class="visually-hidden">Users of ${page.account.name}</caption>
  <thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Two-factor authentication</th><th scope="col">Last login</th></tr></thead>
  <tbody>
  ${page.users.map(
    (user) => html`<tr>
    <td><a href="/panel/users/${user.id}">${user.email}</a></td>
    <td>${user.displayName}</td>
    <td>${roleLabels[user.role]}</td>
    <td>${user.active ? "Active" : "Deactivated"}</td>
    <td class="two-factor">${twoFactorCell(user)}</td>
    <td>${lastLogin(user.lastLoginAt)}</td>
  </tr>`,
  )}
  </tbody>
</table></div>`}
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
  <fieldset class="field choices${input.errors?.role ? " has-error" : ""}"${input.errors?.role ? html` aria-describedby="field-role-error"` : null}><legend>Role</legend>
  ${input.roles.map(
    (option) => html`<div class="choice"><input type="radio" id="field-role-${option}" name="role" value="${option}" aria-describedby="field-role-${option}-hint"${option === role ? html` checked` : null}>
    <label for="field-role-${option}">${roleLabels[option]}</label>
    <p class="hint" id="field-role-${option}-hint">${roleHints[option]}</p></div>`,
  )}
  ${input.errors?.role ? html`<p class="error" id="field-role-error" role="alert">${input.errors.role}</p>` : null}
  </fieldset>
  <p class="hint">Each person gets their own user: a login and an authenticator app cannot be shared.</p>
  <button type="submit" class="primary">Create user and send invitation</button>
  <a href="/panel/users" class="cancel">Cancel</a>
</form>`;
  },

  record(input: { csrfToken: string; account: Account; user: AccountUserView; isSelf: boolean; may: RecordActions; error?: string | null }): Html {
    const { user } = input;
    return html`<p class="breadcrumb">Control panel · <a href="/panel/users">Manage users</a></p>
<h1>${user.displayName}</h1>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : null}
<dl class="record">
  <dt>Email</dt><dd>${user.email}</dd>
  <dt>Role</dt><dd>${roleLabels[user.role]}</dd>
  <dt>Status</dt><dd>${user.active ? "Active" : "Deactivated"}</dd>
  <dt>Two-Factor Authentication</dt><dd>${twoFactorCell(user)}${
    user.twoFactorEnabled || input.isSelf ? null : html`<p class="hint">Users set up two-factor authentication themselves, from their Security page; you cannot turn it on for them.</p>`
  }</dd>
  <dt>Last login</dt><dd>${lastLogin(user.lastLoginAt)}</dd>
</dl>
${user.twoFactorEnabled && input.account.kind === "reseller" && !input.isSelf && input.may.requestReset
  ? html`<p><a href="/panel/users/${user.id}/reset-request">Request a two-factor reset (lost device)</a></p>`
  : null}
${input.isSelf
  ? html`<p class="hint">This is you: you cannot deactivate your own user.</p>`
  : !input.may.deactivate
    ? null
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
  <a href="/panel/users/${input.user.id}" class="cancel">Cancel</a>
</form>`;
  },

  failed(message: string): Html {
    return html`<h1>Manage users</h1><p class="error" role="alert">${message}</p><p><a href="/panel/users">Back to the first page</a></p>`;
  },

  forbidden(): Html {
    return html`<h1>Not allowed</h1><p>Only an account's administrators can manage its users.</p><p><a href="/settings/security">Back to Security</a></p>`;
  },
};
