import { html, raw, type Html } from "../html.js";

/**
 * The part of a page that asks the browser for a security key or passkey
 * (WebAuthn). The options travel as a JSON script element (data, never run:
 * the CSP stays `script-src 'self'`); /assets/webauthn.js, beside the library
 * served from this app, runs the prompt, puts the answer in the hidden
 * `credential` field and submits the form. Without JavaScript the button stays
 * hidden and the page says so.
 */
export function keyPrompt(input: { mode: "register" | "authenticate"; options: unknown; buttonLabel: string; autostart: boolean; error?: string | undefined }): Html {
  // "<" escaped so the data can never close its script element.
  const json = JSON.stringify(input.options).replace(/</g, "\\u003c");
  return html`<script type="application/json" id="webauthn-options">${raw(json)}</script>
  <input type="hidden" name="credential" value="">
  <p class="webauthn-status${input.error ? " error" : ""}" role="status" aria-live="polite" id="webauthn-status">${input.error ?? ""}</p>
  <noscript><p class="warning">Security keys and passkeys need JavaScript in this browser. Turn it on, or choose another method.</p></noscript>
  <button type="button" class="primary" data-webauthn-start="${input.mode}" data-autostart="${input.autostart ? "true" : "false"}" hidden>${input.buttonLabel}</button>
  <script src="/assets/vendor/simplewebauthn-browser.js" defer></script>
  <script src="/assets/webauthn.js" defer></script>`;
}
