import type { Account, User } from "../../../services/model.js";
import { html, type Html } from "../html.js";
import { surfacesFor } from "../surfaces.js";

export interface LayoutOptions {
  title: string;
  user?: User | null;
  /** The user's account: which surfaces the navigation shows. */
  account?: Account | null;
  /** The page's own path: its link is marked as the current page. */
  currentPath?: string;
  csrfToken?: string;
  notice?: string | null;
  /** Narrow card layout for the login steps. */
  narrow?: boolean;
}

/** A link is the current page on its own path and on the pages under it (a user's record is under Manage users). */
function isCurrent(currentPath: string | undefined, href: string): boolean {
  return currentPath !== undefined && (currentPath === href || currentPath.startsWith(`${href}/`));
}

export function layout(options: LayoutOptions, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · twostep</title>
<link rel="stylesheet" href="/assets/style.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<header class="top">
  <div class="bar">
    <a class="brand" href="/">twostep</a>
    ${options.user && options.csrfToken
      ? html`<div class="account-menu">
      <span class="who">${options.user.email}</span>
      <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${options.csrfToken}"><button type="submit" class="link">Log out</button></form>
    </div>`
      : null}
  </div>
  ${options.user && options.csrfToken
    ? html`<nav aria-label="Main">
    ${options.account
      ? surfacesFor({ accountKind: options.account.kind, role: options.user.role }).map(
          (surface) => html`<div class="surface" role="group" aria-label="${surface.label}"><span class="surface-name" aria-hidden="true">${surface.label}</span>${surface.links.map(
            (link) => html`<a href="${link.href}"${isCurrent(options.currentPath, link.href) ? html` aria-current="page"` : null}>${link.label}</a>`,
          )}</div>`,
        )
      : html`<a href="/settings/security">Security</a>`}
  </nav>`
    : null}
</header>
<main class="${options.narrow ? "narrow" : "wide"}">
${options.notice ? html`<div class="notice" role="status">${options.notice}</div>` : null}
${body}
</main>
</body>
</html>`;
}

/** A labelled input with its error message right below it, tied by aria-describedby. */
export function field(input: {
  name: string;
  label: string;
  type?: string;
  value?: string;
  error?: string | null;
  hint?: string;
  autocomplete?: string;
  inputmode?: string;
  autofocus?: boolean;
  maxlength?: number;
  required?: boolean;
  /** A textarea of this many rows instead of a one-line input (a reason, a note). */
  rows?: number;
}): Html {
  const id = `field-${input.name}`;
  const described = [input.hint ? `${id}-hint` : "", input.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return html`<div class="field${input.error ? " has-error" : ""}">
  <label for="${id}">${input.label}</label>
  ${input.hint ? html`<p class="hint" id="${id}-hint">${input.hint}</p>` : null}
  ${input.rows ? html`<textarea id="${id}" name="${input.name}" rows="${String(input.rows)}"` : html`<input id="${id}" name="${input.name}" type="${input.type ?? "text"}"`}${!input.rows && input.value ? html` value="${input.value}"` : null}${
    input.autocomplete ? html` autocomplete="${input.autocomplete}"` : null
  }${input.inputmode ? html` inputmode="${input.inputmode}"` : null}${input.maxlength ? html` maxlength="${input.maxlength}"` : null}${
    input.required === false ? null : html` required`
  }${input.autofocus ? html` autofocus` : null}${described ? html` aria-describedby="${described}"` : null}${input.error ? html` aria-invalid="true"` : null}>${input.rows ? html`${input.value ?? ""}</textarea>` : null}
  ${input.error ? html`<p class="error" id="${id}-error" role="alert">${input.error}</p>` : null}
</div>`;
}

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

export function formatTime(milliseconds: number | null): string {
  if (milliseconds === null) return "Never";
  return new Date(milliseconds).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

/**
 * formatTime as a <time> element for narrow table cells: when the cell must wrap,
 * it wraps between the date and the time, never inside the date at a hyphen.
 */
export function timeElement(milliseconds: number | null): Html | string {
  if (milliseconds === null) return "Never";
  const [date, time] = formatTime(milliseconds).split(" ", 2) as [string, string];
  return html`<time datetime="${new Date(milliseconds).toISOString()}"><span class="nowrap">${date}</span> <span class="nowrap">${time} UTC</span></time>`;
}
