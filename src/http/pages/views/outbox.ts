import type { OutboxMessage } from "../../../services/model.js";
import { html, type Html } from "../html.js";
import { formatTime } from "./layout.js";

/**
 * Development only: what the outbox gateways "sent" — emails (to, subject,
 * text part) and text messages, each in its own labelled table, newest first,
 * of this browser's signed-in user and login in progress only. Never registered
 * in production.
 */
export function outboxPage(messages: OutboxMessage[]): Html {
  const emails = messages.filter((message) => message.channel === "email");
  const texts = messages.filter((message) => message.channel !== "email");
  return html`<h1>Development outbox</h1>
<p class="warning">Development mode: emails and text messages are not sent; they appear here. This page does not exist in production.</p>
<p>Only the messages of the user signed in on this browser, or of the login in progress on it, are shown.</p>
<h2>Emails</h2>
${emails.length === 0
    ? html`<p>No emails yet.</p>`
    : html`<table class="outbox-email"><thead><tr><th scope="col">When</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Text</th></tr></thead><tbody>
  ${emails.map((message) => html`<tr><td>${formatTime(message.createdAt)}</td><td>${message.recipient}</td><td>${message.subject ?? ""}</td><td><pre class="message">${message.body}</pre></td></tr>`)}
  </tbody></table>`}
<h2>Text messages</h2>
${texts.length === 0
    ? html`<p>No messages yet.</p>`
    : html`<table class="outbox outbox-sms"><thead><tr><th scope="col">When</th><th scope="col">To</th><th scope="col">Message</th></tr></thead><tbody>
  ${texts.map((message) => html`<tr><td>${formatTime(message.createdAt)}</td><td>${message.recipient}</td><td><pre class="message">${message.body}</pre></td></tr>`)}
  </tbody></table>`}`;
}
