import { errorMessage, type ErrorCode } from "../../../services/failures.js";
import { eventLabels } from "../../../services/events/audit.js";
import type { EventLogPage } from "../../../services/events/event-log.js";
import { html, type Html } from "../html.js";
import { field, timeElement } from "./layout.js";

export interface EventLogView {
  title: string;
  path: string;
  /** Which filters this log offers beyond type and dates. */
  filters: { user: boolean; account: boolean };
  values: Record<string, string>;
  page: EventLogPage | null;
  error?: { code: ErrorCode; field?: string };
}

const typeOptions = Object.entries(eventLabels).sort(([, a], [, b]) => a.localeCompare(b));

/** The query string of this log with some values replaced (empty ones dropped). */
function linkTo(path: string, values: Record<string, string>, extra: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...values, ...extra })) if (value) params.set(key, value);
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** Who may open each log that not everyone may: said instead of a filter form that could only be refused. */
const whoMayOpen: Record<string, string> = {
  "/panel/events": "Only an account's administrators see its event log.",
  "/support/events": "Only platform support sees every account's events.",
};

export function eventLogPage(view: EventLogView): Html {
  // A refusal of the whole log (no user or account asked for) is a page of its own; a refused filter stays by its field.
  const filterRefused = view.error?.code === "forbidden" && !view.error.field ? (view.values.user ? "user" : view.values.account ? "account" : null) : null;
  if (view.error?.code === "forbidden" && !view.error.field && !filterRefused) {
    return html`<h1>Not allowed</h1>
<p>${whoMayOpen[view.path] ?? errorMessage("forbidden")} Your own security events are in your <a href="/settings/events">Event log</a>.</p>
<p><a href="/settings/security">Back to Security</a></p>`;
  }
  const errorFor = (name: string) => {
    if (filterRefused === name) return `You cannot see that ${name}'s events. Choose one of your account's users or of your customers'.`;
    return view.error && view.error.field === name ? errorMessage(view.error.code) : null;
  };
  const filters = { ...view.values };
  delete filters.cursor;
  const typeError = errorFor("type");
  return html`<h1>${view.title}</h1>
${view.page?.account ? html`<p>Account: <strong>${view.page.account.name}</strong>${view.page.account.kind === "reseller" ? " and its customers" : ""}</p>` : null}
<form method="get" action="${view.path}" class="card filters" aria-label="Filter events">
  <div class="field${typeError ? " has-error" : ""}">
    <label for="field-type">Event type</label>
    <select id="field-type" name="type"${typeError ? html` aria-invalid="true" aria-describedby="field-type-error"` : null}>
      <option value="">All event types</option>
      ${typeOptions.map(([type, label]) => html`<option value="${type}"${view.values.type === type ? html` selected` : null}>${label}</option>`)}
    </select>
    ${typeError ? html`<p class="error" id="field-type-error" role="alert">${typeError}</p>` : null}
  </div>
  <div class="dates">
  ${field({ name: "from", label: "From", value: view.values.from ?? "", error: errorFor("from"), required: false, maxlength: 10, hint: "YYYY-MM-DD, UTC", autocomplete: "off" })}
  ${field({ name: "to", label: "To", value: view.values.to ?? "", error: errorFor("to"), required: false, maxlength: 10, hint: "YYYY-MM-DD, UTC, that day included", autocomplete: "off" })}
  </div>
  ${view.filters.account ? field({ name: "account", label: "Account id", value: view.values.account ?? "", error: errorFor("account"), required: false, maxlength: 64 }) : null}
  ${view.filters.user ? field({ name: "user", label: "User (email or id)", value: view.values.user ?? "", error: errorFor("user"), required: false, maxlength: 320 }) : null}
  <div class="actions"><button type="submit" class="primary">Show events</button> <a href="${view.path}" class="cancel">Clear filters</a></div>
</form>
${view.error && !view.error.field && !filterRefused ? html`<p class="error" role="alert">${errorMessage(view.error.code)}</p>` : null}
${view.page ? eventTable(view, filters) : null}`;
}

function eventTable(view: EventLogView, filters: Record<string, string>): Html {
  const page = view.page!;
  return html`<section class="card" aria-labelledby="events-heading">
  <h2 id="events-heading">Events</h2>
  <p><a href="${linkTo(`${view.path}.csv`, filters, {})}" download>Download CSV</a> (every event matching the filters)</p>
  ${page.events.length === 0
    ? html`<p>No events match.</p>`
    : html`<div class="table-scroll"><table><thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">By</th><th scope="col">User</th>${view.filters.user ? html`<th scope="col">Account</th>` : null}<th scope="col">From</th></tr></thead><tbody>
  ${page.events.map(
    (event) => html`<tr><td>${timeElement(event.createdAt)}</td><td>${eventLabels[event.type] ?? event.type}</td><td>${event.actorEmail ?? "—"}</td><td>${event.subjectEmail ?? "—"}</td>${
      view.filters.user ? html`<td>${event.accountName ?? "—"}</td>` : null
    }<td>${event.clientAddress ?? "—"}</td></tr>`,
  )}
  </tbody></table></div>`}
  ${page.nextCursor ? html`<p><a href="${linkTo(view.path, filters, { cursor: page.nextCursor })}" rel="next">Next page</a></p>` : null}
</section>`;
}
