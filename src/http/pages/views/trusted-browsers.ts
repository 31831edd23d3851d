import type { TrustedBrowserView } from "../../../services/login/trusted-browsers.js";
import { html, type Html } from "../html.js";
import { csrfField, timeElement } from "./layout.js";

/**
 * L7 on the security page: the browsers that skip the second step, each with
 * "Forget", and "Forget all". Shown when the user has one, or policy offers it.
 */
export function trustedBrowsersSection(browsers: TrustedBrowserView[], rememberDays: number, csrfToken: string): Html | null {
  if (browsers.length === 0 && rememberDays <= 0) return null;
  return html`<section aria-labelledby="browsers-heading" class="card">
  <h2 id="browsers-heading">Remembered browsers</h2>
  ${browsers.length === 0
    ? html`<p>No browser is remembered. When you log in with a code, you can tick "Don't ask again on this browser" so that this browser only asks for your password for ${rememberDays} days.</p>`
    : html`<p>These browsers log in with your password alone, without the second step, until they expire. Any change to your two-factor methods or your password forgets them all.</p>
  <table class="browsers"><thead><tr><th scope="col">Browser</th><th scope="col">Remembered</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>
  ${browsers.map(
    (browser) => html`<tr><td>${browser.label}</td><td>${timeElement(browser.createdAt)}</td><td>${timeElement(browser.expiresAt)}</td>
    <td class="row-actions"><form method="post" action="/settings/browsers/${browser.id}/forget" class="inline">${csrfField(csrfToken)}<button type="submit" class="link">Forget<span class="visually-hidden"> ${browser.label}</span></button></form></td></tr>`,
  )}
  </tbody></table>
  <div class="actions"><form method="post" action="/settings/browsers/forget-all">${csrfField(csrfToken)}<button type="submit" class="button">Forget all</button></form></div>`}
</section>`;
}
