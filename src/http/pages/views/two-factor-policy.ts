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
  <div class="dates">
  ${input.rows.map((row) =>
    field({
      name: row.audience,
      label: `${labels[input.account.kind][row.audience] ?? row.audience}: required from`,
      // A text field, not type="date": a browser's date picker shows the day in its own
      // language's order (mm/dd/yyyy in an American browser), which the hint cannot match;
      // typed as YYYY-MM-DD it means the same day in every browser, and in the API.
      value: input.values?.[row.audience] ?? dateValue(row.requireTwoFactorFrom),
      required: false,
      autocomplete: "off",
      error: input.errors?.[row.audience] ?? null,
      hint: "As YYYY-MM-DD, for example 2026-11-21; it applies from 00:00 UTC that day. Leave empty for no requirement.",
      maxlength: 32,
    }),
  )}
  </div>
  <button type="submit" class="primary">Save</button>
</form>`;
  },
  forbidden(): Html {
    return html`<h1>Not allowed</h1><p>Only an account's administrators can set its two-factor requirement.</p><p><a href="/settings/security">Back to security</a></p>`;
  },
};
