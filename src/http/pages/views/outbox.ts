import type { OutboxMessage } from "../../../domain/model.js";
import { html, type Html } from "../html.js";
import { formatTime } from "./layout.js";

/** Development only: what the SMS outbox gateway "sent". Never registered in production. */
export function outboxPage(messages: OutboxMessage[]): Html {
  return html`<h1>Development outbox</h1>
<p class="warning">Development mode: text messages are not sent; they appear here. This page does not exist in production.</p>
${messages.length === 0
    ? html`<p>No messages yet.</p>`
    : html`<table class="outbox"><thead><tr><th scope="col">When</th><th scope="col">To</th><th scope="col">Message</th></tr></thead><tbody>
  ${messages.map((message) => html`<tr><td>${formatTime(message.createdAt)}</td><td>${message.recipient}</td><td><pre class="message">${message.body}</pre></td></tr>`)}
  </tbody></table>`}`;
}
