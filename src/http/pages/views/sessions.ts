import type { SessionView } from "../../../services/sessions/where-signed-in.js";
import { html, type Html } from "../html.js";
import { csrfField, timeElement } from "./layout.js";

/**
 * Issue 17 item 4, "Where you're signed in": one table of sessions for the
 * user's own page and for an admin's view of a user in Manage users. Browser
 * and OS come from the user agent, the place from the GeoIP file when there is
 * one (else the address). No JavaScript: each "Sign out" is a small form.
 */
function clientLabel(session: SessionView): string {
  if (session.browser && session.os) return `${session.browser} on ${session.os}`;
  return session.browser ?? session.os ?? "Unknown browser or app";
}

function placeCell(session: SessionView): Html | string {
  if (session.place) return html`${session.place}<br><span class="hint nowrap">${session.address ?? ""}</span>`;
  return session.address ?? "Unknown";
}

function sessionsTable(sessions: SessionView[], action: (session: SessionView) => Html | null): Html {
  return html`<table class="sessions"><thead><tr><th scope="col">Browser</th><th scope="col">Place</th><th scope="col">Signed in</th><th scope="col">Last active</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>
  ${sessions.map(
    (session) => html`<tr data-session="${session.id}"><td>${clientLabel(session)}${session.current ? html` <span class="badge">This browser</span>` : null}</td><td>${placeCell(session)}</td><td>${timeElement(session.signedInAt)}</td><td>${session.current ? "Now" : timeElement(session.lastActiveAt)}</td>
    <td class="row-actions">${action(session)}</td></tr>`,
  )}
  </tbody></table>`;
}

export const sessionsViews = {
  /** The user's own page (/settings/sessions). */
  own(input: { sessions: SessionView[]; csrfToken: string }): Html {
    const others = input.sessions.filter((session) => !session.current);
    return html`<h1>Where you're signed in</h1>
<section aria-labelledby="sessions-heading" class="card">
  <h2 id="sessions-heading">Your sessions</h2>
  <p>Every browser and app signed in to your account now. If you do not recognise one, sign it out and change your password. "Last active" is updated about once a minute.</p>
  ${sessionsTable(input.sessions, (session) =>
    session.current
      ? null
      : html`<form method="post" action="/settings/sessions/${session.id}/sign-out" class="inline">${csrfField(input.csrfToken)}<button type="submit" class="link">Sign out<span class="visually-hidden"> ${clientLabel(session)}</span></button></form>`,
  )}
  ${others.length > 0
    ? html`<div class="actions"><form method="post" action="/settings/sessions/sign-out-others">${csrfField(input.csrfToken)}<button type="submit" class="button danger">Sign out everywhere else</button></form></div>
  <p class="hint">Signing out everywhere else may ask you to confirm it's you first.</p>`
    : html`<p>You are signed in on this browser only.</p>`}
</section>`;
  },

  /** Manage users, a user's record: their sessions and, when the table allows, "Sign out everywhere". */
  ofUser(input: { userId: string; sessions: SessionView[]; mayEnd: boolean; csrfToken: string }): Html {
    return html`<section aria-labelledby="user-sessions-heading" class="card">
  <h2 id="user-sessions-heading">Where this user is signed in</h2>
  ${input.sessions.length === 0
    ? html`<p>Not signed in anywhere.</p>`
    : html`${sessionsTable(input.sessions, () => null)}
  ${input.mayEnd
    ? html`<form method="post" action="/panel/users/${input.userId}/sessions/sign-out">${csrfField(input.csrfToken)}<button type="submit" class="button danger">Sign out everywhere</button></form>`
    : null}`}
</section>`;
  },

  /** The security page's pointer to the sessions page. */
  link(): Html {
    return html`<section aria-labelledby="where-heading" class="card">
  <h2 id="where-heading">Where you're signed in</h2>
  <p>Every browser and app signed in to your account, with its place and when it was last active. <a href="/settings/sessions">See where you're signed in</a>.</p>
</section>`;
  },
};
