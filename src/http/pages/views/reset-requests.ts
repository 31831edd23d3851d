import type { SecurityEvent, User } from "../../../services/model.js";
import { eventLabels } from "../../../services/events/audit.js";
import type { ResetRequestRow } from "../../../services/support/reset-requests.js";
import { html, type Html } from "../html.js";
import { csrfField, field, timeElement } from "./layout.js";
import { ownTwoFactorRequired } from "./own-two-factor.js";

const statusLabels = { pending: "Waiting for review", approved: "Approved", rejected: "Rejected" } as const;
const who = (user: User | undefined) => (user ? html`${user.displayName} <span class="hint">(${user.email})</span>` : "Unknown user");

/** A2, the account admin's side: ask support to turn off a user's 2FA. */
export const resetRequestForm = {
  page(input: { csrfToken: string; user: User; hasTwoFactor: boolean; ownTwoFactor: boolean; reason?: string; error?: string | null }): Html {
    const action = `/panel/users/${encodeURIComponent(input.user.id)}/reset-request`;
    const record = { href: `/panel/users/${encodeURIComponent(input.user.id)}`, label: `Back to ${input.user.displayName}` };
    return html`<p class="breadcrumb">Control panel · <a href="/panel/users">Manage users</a> · <a href="${record.href}">${input.user.displayName}</a></p>
<h1>Ask support to reset two-factor authentication</h1>
<p>For <strong>${input.user.displayName}</strong> (${input.user.email}), who has lost the device they sign in with and has no recovery codes left.</p>
${
  input.hasTwoFactor
    ? html`<p>Platform support reviews every request by hand. If they approve it, the user's two-factor methods, recovery codes and signed-in sessions are removed, and the user signs in with the password alone, then sets up two-factor authentication again. The user and you get an email when the request is sent and when it is decided.</p>
${input.ownTwoFactor
  ? html`<form method="post" action="${action}" class="card">
  ${csrfField(input.csrfToken)}
  ${field({ name: "reason", label: "Reason", rows: 4, value: input.reason ?? "", maxlength: 500, error: input.error ?? null, hint: "What happened, and how you confirmed it is really the user (up to 500 characters). Support reads this." })}
  <button type="submit" class="primary">Send the request to support</button>
  <a href="${record.href}" class="cancel">Cancel</a>
</form>`
  : ownTwoFactorRequired({ action: "ask support to reset another user's two-factor authentication", back: record, headingLevel: 2 })}`
    : html`<p>This user does not have two-factor authentication turned on: there is nothing to reset.</p>`
}`;
  },
  done(input: { user: User }): Html {
    return html`<h1>Request sent</h1>
<p>Platform support will review the request for ${input.user.displayName}. You and the user get an email with the decision.</p>`;
  },
};

/** How many of the latest decisions the queue page lists under "Recently decided". */
export const recentDecisionCount = 20;

const decisionOf = (request: ResetRequestRow["request"]) =>
  request.status === "pending" ? statusLabels.pending : html`${statusLabels[request.status]} on ${timeElement(request.reviewedAt)}`;

/** One of the queue page's two lists: who, where, who filed and when, then the reason (waiting) or the decision (decided). */
function requestSection(input: { id: string; heading: string; empty: string; order: string; rows: ResetRequestRow[]; last: { heading: string; cell: (row: ResetRequestRow) => Html } }): Html {
  return html`<section class="card" aria-labelledby="${input.id}">
<h2 id="${input.id}">${input.heading}</h2>
${input.rows.length === 0
  ? html`<p class="empty">${input.empty}</p>`
  : html`<p class="hint">${input.order}</p>
<div class="table-scroll"><table class="requests">
  <caption class="visually-hidden">${input.heading}: ${input.order}</caption>
  <thead><tr><th scope="col">User</th><th scope="col">Account</th><th scope="col">Filed by</th><th scope="col">Filed</th><th scope="col">${input.last.heading}</th></tr></thead>
  <tbody>
  ${input.rows.map(
    (row) => html`<tr>
    <td><a href="/support/reset-requests/${encodeURIComponent(row.request.id)}">${row.user?.displayName ?? "Unknown user"}</a>${row.user ? html`<br><span class="hint">${row.user.email}</span>` : null}</td>
    <td>${row.account?.name ?? ""}</td>
    <td>${row.filedBy?.displayName ?? ""}</td>
    <td>${timeElement(row.request.createdAt)}</td>
    ${input.last.cell(row)}
  </tr>`,
  )}
  </tbody>
</table></div>`}
</section>`;
}

/** A2, the support console: the queue and the review page. */
export const supportQueue = {
  page(input: { rows: ResetRequestRow[]; settled: ResetRequestRow[]; recentDecisionCount: number; search?: { email: string; rows: ResetRequestRow[] } }): Html {
    const intro = html`<h1>Two-factor reset requests</h1>
<p>Account admins file these for users who lost their device and their recovery codes. Open one to review it.</p>
<form method="get" action="/support/reset-requests" class="search" role="search">
  <label for="email">Find by email</label>
  <input id="email" name="email" type="search" maxlength="254" autocomplete="off" value="${input.search?.email ?? ""}">
  <button type="submit">Search</button>
  ${input.search ? html`<a href="/support/reset-requests">Show the queue</a>` : null}
</form>`;
    if (input.search) {
      return html`${intro}
${requestSection({
  id: "found",
  heading: "Requests found",
  empty: `No requests for an email starting with “${input.search.email}”.`,
  order: "Every request of the matching users, newest first.",
  rows: input.search.rows,
  last: { heading: "Status", cell: (row) => html`<td>${decisionOf(row.request)}</td>` },
})}`;
    }
    return html`${intro}
${requestSection({
  id: "waiting",
  heading: "Waiting for review",
  empty: "No requests are waiting for review.",
  order: "Oldest first.",
  rows: input.rows,
  last: { heading: "Reason", cell: (row) => html`<td class="reason">${row.request.reason}</td>` },
})}
${requestSection({
  id: "decided",
  heading: "Recently decided",
  empty: "No request has been decided yet.",
  order: `The latest ${input.recentDecisionCount} decisions, newest first.`,
  rows: input.settled,
  last: { heading: "Decision", cell: (row) => html`<td>${decisionOf(row.request)}</td>` },
})}`;
  },
  review(input: { csrfToken: string; row: ResetRequestRow; hasTwoFactor: boolean; ownTwoFactor: boolean; events: SecurityEvent[]; reason?: string; error?: string | null }): Html {
    const { request } = input.row;
    const base = `/support/reset-requests/${encodeURIComponent(request.id)}`;
    return html`<p class="breadcrumb"><a href="/support/reset-requests">Two-factor reset requests</a></p>
<h1>Reset request for ${input.row.user?.displayName ?? "Unknown user"}</h1>
<dl class="details">
  <dt>User</dt><dd>${who(input.row.user)}</dd>
  <dt>Two-factor authentication</dt><dd>${input.hasTwoFactor ? html`<strong class="status-on">On</strong>` : html`<strong class="status-off">Off</strong>`}</dd>
  <dt>Account</dt><dd>${input.row.account?.name ?? ""}</dd>
  <dt>Filed by</dt><dd>${who(input.row.filedBy)}, ${timeElement(request.createdAt)}</dd>
  <dt>Reason given</dt><dd class="reason">${request.reason}</dd>
  <dt>Status</dt><dd>${decisionOf(request)}</dd>
  ${request.reviewReason ? html`<dt>Reason for rejecting</dt><dd class="reason">${request.reviewReason}</dd>` : null}
</dl>
<section class="card" aria-labelledby="events">
<h2 id="events">Recent security events of this user</h2>
${
  input.events.length === 0
    ? html`<p class="empty">No events recorded for this user.</p>`
    : html`<table><caption class="visually-hidden">The user's latest security events, newest first</caption><thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Address</th></tr></thead><tbody>
  ${input.events.map((event) => html`<tr><td>${timeElement(event.createdAt)}</td><td>${eventLabels[event.type]}</td><td>${event.clientAddress ?? "—"}</td></tr>`)}
  </tbody></table>`
}
</section>
${
  request.status === "pending"
    ? html`<section class="card" aria-labelledby="decide">
<h2 id="decide">Decide</h2>
${input.ownTwoFactor
  ? html`<div class="decisions">
<form method="post" action="${base}/approve" class="decision" aria-labelledby="approve-heading">
  ${csrfField(input.csrfToken)}
  <h3 id="approve-heading">Approve</h3>
  <p>Approving removes the user's two-factor methods, recovery codes and signed-in sessions. The user and the filing admin are emailed.</p>
  <button type="submit" class="primary">Approve and turn off two-factor authentication</button>
</form>
<form method="post" action="${base}/reject" class="decision" aria-labelledby="reject-heading" novalidate>
  ${csrfField(input.csrfToken)}
  <h3 id="reject-heading">Reject</h3>
  ${field({ name: "reason", label: "Reason for rejecting", rows: 4, value: input.reason ?? "", maxlength: 500, error: input.error ?? null, autofocus: Boolean(input.error), hint: "Sent to the user and the filing admin (up to 500 characters)." })}
  <button type="submit" class="danger">Reject the request</button>
</form>
</div>`
  : ownTwoFactorRequired({ action: "approve or reject a reset request", headingLevel: 3 })}
</section>`
    : null
}
<p class="after-actions"><a href="/support/reset-requests">Back to the queue</a></p>`;
  },
};
