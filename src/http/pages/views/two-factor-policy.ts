import type { Account } from "../../../domain/model.js";
import type { PolicyAudience } from "../../../domain/policy.js";
import type { RequirementRow } from "../../../services/two-factor-policy-admin.js";
import { html, type Html } from "../html.js";
import { csrfField, field } from "./layout.js";

const labels: Record<Account["kind"], Partial<Record<PolicyAudience, string>>> = {
  platform: { own_users: "Platform staff", reseller_users: "Every reseller's users", customer_users: "Every customer account's users" },
  reseller: { own_users: "Your reseller account's users", customer_users: "Your customers' users" },
  customer: { own_users: "Your account's users" },
};

const dateValue = (time: number | null) => (time === null ? "" : new Date(time).toISOString().slice(0, 10));

export const twoFactorPolicyForm = {
  page(input: { csrfToken: string; account: Account; rows: RequirementRow[]; values?: Partial<Record<PolicyAudience, string>>; errors?: Partial<Record<string, string>> }): Html {
    return html`<h1>Two-factor requirement</h1>
<p>Require two-factor authentication from a date for ${input.account.name}. Before the date, users without it see the deadline at each login and get reminder emails 14, 3 and 1 days before; from the date on, they must set it up before they can log in. If several levels require it, the earliest date applies.</p>
<form method="post" action="/settings/two-factor-policy" novalidate class="card">
  ${csrfField(input.csrfToken)}
  ${input.rows.map((row) =>
    field({
      name: row.audience,
      label: `${labels[input.account.kind][row.audience] ?? row.audience}: required from`,
      type: "date",
      value: input.values?.[row.audience] ?? dateValue(row.requireTwoFactorFrom),
      required: false,
      error: input.errors?.[row.audience] ?? null,
      hint: "YYYY-MM-DD, from 00:00 UTC. Leave empty for no requirement.",
      maxlength: 10,
    }),
  )}
  <button type="submit" class="primary">Save</button>
</form>`;
  },
  forbidden(): Html {
    return html`<h1>Not allowed</h1><p>Only an account's administrators can set its two-factor requirement.</p><p><a href="/settings/security">Back to security</a></p>`;
  },
};
