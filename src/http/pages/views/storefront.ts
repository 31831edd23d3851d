import type { Account } from "../../../services/model.js";
import type { CustomerSummary, CustomerUserView } from "../../../services/storefront/index.js";
import { html, type Html } from "../html.js";
import { csrfField, field } from "./layout.js";
import { ownTwoFactorRequired } from "./own-two-factor.js";

/** A3, the storefront manager pages; words from the storefront help article ("Customers", "Two-Factor Authentication"). */

const methodLabels: Record<string, string> = { totp: "Authenticator app", sms: "Text message" };

export const customerPath = (accountId: string) => `/storefront/customers/${encodeURIComponent(accountId)}`;
export const disablePath = (accountId: string, userId: string) => `${customerPath(accountId)}/users/${encodeURIComponent(userId)}/disable`;

export function customersPage(input: { reseller: Account; customers: CustomerSummary[]; search: string | null; nextPath: string | null; firstPath: string | null }): Html {
  return html`<p class="breadcrumb">Storefront Manager</p>
<h1>Customers</h1>
<p>The customer accounts of ${input.reseller.name}. Open a customer's record to see whether each of its users has two-factor authentication enabled.</p>
<form method="get" action="/storefront/customers" class="search" role="search">
  ${field({ name: "search", label: "Search customers by name", type: "search", value: input.search ?? "", required: false, maxlength: 100, autocomplete: "off", hint: "The start of the account name, for example Glo." })}
  <button type="submit">Search</button>
  ${input.search ? html`<a href="/storefront/customers" class="cancel">Show all</a>` : null}
</form>
${input.customers.length === 0
  ? html`<p>${input.search ? "No customer account's name starts with that." : "You have no customer accounts yet."}</p>`
  : html`<table class="customers">
<caption class="visually-hidden">Customer accounts</caption>
<thead><tr><th scope="col">Customer account</th><th scope="col">Users</th><th scope="col">With 2FA</th></tr></thead>
<tbody>
${input.customers.map(
  (row) => html`<tr><td><a href="${customerPath(row.account.id)}">${row.account.name}</a></td><td>${row.users}</td><td>${row.usersWithTwoFactor} of ${row.users}</td></tr>`,
)}
</tbody></table>`}
<nav aria-label="Pages" class="pages">
  ${input.firstPath ? html`<a href="${input.firstPath}">First page</a>` : null}
  ${input.nextPath ? html`<a href="${input.nextPath}" rel="next">Next page</a>` : null}
</nav>`;
}

export function customerRecordPage(input: { account: Account; reseller: Account | null; users: CustomerUserView[] }): Html {
  return html`<p class="breadcrumb">Storefront Manager · <a href="/storefront/customers">Customers</a></p>
<h1>${input.account.name}</h1>
<section aria-labelledby="account-details">
<h2 id="account-details">Account details</h2>
<dl class="details">
  <dt>Customer account</dt><dd>${input.account.name}</dd>
  ${input.reseller ? html`<dt>Reseller</dt><dd>${input.reseller.name}</dd>` : null}
  <dt>Users</dt><dd>${input.users.length}</dd>
</dl>
</section>
<section class="card" aria-labelledby="account-users">
<h2 id="account-users">Users</h2>
${input.users.length === 0
  ? html`<p class="empty">This account has no users yet.</p>`
  : html`<p class="hint">Two-Factor Authentication shows as Enabled or Disabled; customers set it up themselves and you cannot enable it for them. Disable it only for a customer who lost their authenticator device and every recovery code.</p>
${input.users.map((user) => customerUser(input.account, user))}`}
</section>`;
}

function customerUser(account: Account, user: CustomerUserView): Html {
  const status = user.twoFactorEnabled ? "Enabled" : "Disabled";
  return html`<article class="customer-user" aria-labelledby="user-${user.id}">
<h3 id="user-${user.id}">${user.displayName}</h3>
<dl class="details">
  <dt>Email</dt><dd>${user.email}</dd>
  <dt>Role</dt><dd>${user.role === "admin" ? "Admin" : "Member"}${user.active ? "" : " (deactivated)"}</dd>
  <dt>Two-Factor Authentication</dt><dd><strong class="${user.twoFactorEnabled ? "status-on" : "status-off"}">${status}</strong>${
    user.twoFactorEnabled ? html` <span class="hint">(${user.methods.map((type) => methodLabels[type] ?? type).join(", ")})</span>` : null
  }</dd>
</dl>
${user.twoFactorEnabled
  ? html`<p><a class="button danger" href="${disablePath(account.id, user.id)}">Disable<span class="visually-hidden"> two-factor authentication for ${user.displayName}</span></a></p>`
  : null}
</article>`;
}

/** The confirmation step, as a page (works without JavaScript): Disable to confirm, or Cancel. */
export function disableConfirmPage(input: { csrfToken: string; account: Account; user: CustomerUserView; ownTwoFactor: boolean }): Html {
  return html`<h1>Disable two-factor authentication for ${input.user.displayName}?</h1>
<div class="warning">${input.user.displayName} (<span class="nowrap">${input.user.email}</span>, ${input.account.name}) will be able to log in with their password alone. Their authenticator app and every remaining recovery code stop working for good, and they are logged out everywhere. They get an email saying you did this, and it is written to their event log. Do this only when they have lost their device and every recovery code.</div>
${input.ownTwoFactor
  ? html`<form method="post" action="${disablePath(input.account.id, input.user.id)}">
  ${csrfField(input.csrfToken)}
  <button type="submit" class="danger" autofocus>Disable</button>
  <a href="${customerPath(input.account.id)}" class="cancel">Cancel</a>
</form>`
  : ownTwoFactorRequired({ action: "disable a customer's two-factor authentication", back: { href: customerPath(input.account.id), label: `Back to ${input.account.name}` }, headingLevel: 2 })}`;
}

export function storefrontNotAllowed(): Html {
  return html`<h1>Not allowed</h1><p>Only a reseller's users manage its customers, and only their own.</p><p><a href="/settings/security">Back to Security</a></p>`;
}

export function storefrontNotFound(): Html {
  return html`<h1>Not found</h1><p>There is no such customer account or user.</p><p><a href="/storefront/customers">Back to Customers</a></p>`;
}
