import { html, type Html } from "../html.js";

/** An error page; `field` names the form field at fault when a form body was refused (as the API's `field` does). */
export function errorPage(input: { title: string; message: string; field?: string | undefined }): Html {
  const field = input.field ? html`<p>The field at fault: <code data-field="${input.field}">${input.field}</code>.</p>` : null;
  return html`<h1>${input.title}</h1><p>${input.message}</p>${field}<p><a href="/">Go to the start page</a></p>`;
}
