import type { SecurityEvent, User } from "../../../domain/model.js";
import { eventLabels } from "../../../services/audit.js";
import type { ResetRequestRow } from "../../../services/support/reset-requests.js";
import { html, type Html } from "../html.js";
import { csrfField, field, timeElement } from "./layout.js";

const statusLabels = { pending: "Waiting for review", approved: "Approved", rejected: "Rejected" } as const;
const who = (user: User | undefined) => (user ? html`${user.displayName} <span class="hint">(${user.email})</span>` : "Unknown user");

/** A2, the account admin's side: ask support to turn off a user's 2FA. */
export const resetRequestForm = {
  page(input: { csrfToken: string; user: User; hasTwoFactor: boolean; reason?: string; error?: string | null }): Html {
    const action = `/panel/users/${encodeURIComponent(input.user.id)}/reset-request`;
    return html`<h1>Ask support to reset two-factor authentication</h1>
<p>For <strong>${input.user.displayName}</strong> (${input.user.email}), who has lost the device they sign in with and has no recovery codes left.</p>
${
  input.hasTwoFactor
    ? html`<p>Platform support reviews every request by hand. If they approve it, the user's two-factor methods, recovery codes and signed-in sessions are removed, and the user signs in with the password alone, then sets up two-factor authentication again. The user and you get an email when the request is sent and when it is decided.</p>
<form method="post" action="${action}" class="card">
  ${csrfField(input.csrfToken)}
  ${field({ name: "reason", label: "Reason", rows: 4, value: input.reason ?? "", maxlength: 500, error: input.error ?? null, hint: "What happened, and how you confirmed it is really the user (up to 500 characters). Support reads this." })}
  <button type="submit" class="primary">Send the request to support</button>
</form>`
    : html`<p>This user does not have two-factor authentication turned on: there is nothing to reset.</p>`
}`;
  },
  done(input: { user: User }): Html {
    return html`<h1>Request sent</h1>
<p>Platform support will review the request for ${input.user.displayName}. You and the user get an email with the decision.</p>`;
  },
};

/** A2, the support console: the queue and the review page. */
export const supportQueue = {
  page(input: { rows: ResetRequestRow[]; settled: ResetRequestRow[] }): Html {
    const table = (rows: ResetRequestRow[], caption: string) =>
      rows.length === 0
        ? html`<p>No ${caption.toLowerCase()}.</p>`
        : html`<table>
  <caption>${caption}</caption>
  <thead><tr><th scope="col">User</th><th scope="col">Account</th><th scope="col">Filed by</th><th scope="col">When</th><th scope="col">Reason</th><th scope="col">Status</th></tr></thead>
  <tbody>
  ${rows.map(
    (row) => html`<tr>
    <td><a href="/support/reset-requests/${encodeURIComponent(row.request.id)}">${row.user?.displayName ?? "Unknown user"}</a></td>
    <td>${row.account?.name ?? ""}</td>
    <td>${row.filedBy?.displayName ?? ""}</td>
    <td>${timeElement(row.request.createdAt)}</td>
    <td>${row.request.reason}</td>
    <td>${statusLabels[row.request.status]}</td>
  </tr>`,
  )}
  </tbody>
</table>`;
    return html`<h1>Two-factor reset requests</h1>
<p>Account admins file these for users who lost their device and their recovery codes. Open one to review it; the oldest waiting request is first.</p>
${table(input.rows, "Waiting for review")}
${table(input.settled, "Recently decided")}`;
  },
  review(input: { csrfToken: string; row: ResetRequestRow; hasTwoFactor: boolean; events: SecurityEvent[]; reason?: string; error?: string | null }): Html {
    const { request } = input.row;
    const base = `/support/reset-requests/${encodeURIComponent(request.id)}`;
    return html`<h1>Reset request: ${input.row.user?.displayName ?? "Unknown user"}</h1>
<dl class="card">
  <dt>User</dt><dd>${who(input.row.user)}, ${input.hasTwoFactor ? "two-factor authentication on" : "two-factor authentication off"}</dd>
  <dt>Account</dt><dd>${input.row.account?.name ?? ""}</dd>
  <dt>Filed by</dt><dd>${who(input.row.filedBy)}, ${timeElement(request.createdAt)}</dd>
  <dt>Reason given</dt><dd>${request.reason}</dd>
  <dt>Status</dt><dd>${statusLabels[request.status]}${request.reviewReason ? html`: ${request.reviewReason}` : null}</dd>
</dl>
<h2>Recent security events of this user</h2>
${
  input.events.length === 0
    ? html`<p>No events.</p>`
    : html`<table><thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Address</th></tr></thead><tbody>
  ${input.events.map((event) => html`<tr><td>${timeElement(event.createdAt)}</td><td>${eventLabels[event.type]}</td><td>${event.clientAddress ?? ""}</td></tr>`)}
  </tbody></table>`
}
${
  request.status === "pending"
    ? html`<h2>Decide</h2>
<form method="post" action="${base}/approve" class="card">
  ${csrfField(input.csrfToken)}
  <p>Approving removes the user's two-factor methods, recovery codes and signed-in sessions. The user and the filing admin are emailed.</p>
  <button type="submit" class="primary">Approve and turn off two-factor authentication</button>
</form>
<form method="post" action="${base}/reject" class="card">
  ${csrfField(input.csrfToken)}
  ${field({ name: "reason", label: "Reason for rejecting", rows: 3, value: input.reason ?? "", maxlength: 500, error: input.error ?? null, hint: "Sent to the user and the filing admin." })}
  <button type="submit">Reject</button>
</form>`
    : null
}
<p><a href="/support/reset-requests">Back to the queue</a></p>`;
  },
};
