import type { SignedInApp } from "../../../services/apps/signed-in-apps.js";
import { html, type Html } from "../html.js";
import { csrfField, timeElement } from "./layout.js";

/**
 * Issue 15 item 6 on the security page: the apps this user is signed in to
 * through twostep, each with when and a "Sign out" button (a POST with the
 * CSRF field). Shown only when there is one.
 */
export function signedInAppsSection(apps: SignedInApp[], csrfToken: string): Html | null {
  if (apps.length === 0) return null;
  return html`<section aria-labelledby="apps-heading" class="card">
  <h2 id="apps-heading">Apps you are signed in to</h2>
  <p>You signed in to these apps with twostep. Signing out of one ends its session at once; you stay signed in to twostep and to the other apps.</p>
  <table class="apps"><thead><tr><th scope="col">App</th><th scope="col">Signed in</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>
  ${apps.map(
    (app) => html`<tr><td>${app.name}</td><td>${timeElement(app.signedInAt)}</td>
    <td class="row-actions"><form method="post" action="/settings/apps/${app.clientId}/sign-out" class="inline">${csrfField(csrfToken)}<button type="submit" class="link">Sign out<span class="visually-hidden"> of ${app.name}</span></button></form></td></tr>`,
  )}
  </tbody></table>
</section>`;
}
