import { html, type Html } from "../html.js";

export function errorPage(input: { title: string; message: string }): Html {
  return html`<h1>${input.title}</h1><p>${input.message}</p><p><a href="/">Go to the start page</a></p>`;
}
