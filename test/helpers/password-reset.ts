import assert from "node:assert/strict";
import type { ServiceDeps } from "../../src/services/deps.js";
import { openedBodies } from "../../src/services/messages/link-emails.js";

/** The newest reset-link email to `email` in the outbox table, and the token its link carries. */
export async function resetLinkFor(deps: ServiceDeps, email: string): Promise<{ token: string; url: string; text: string; html: string }> {
  const messages = await deps.store.messages.listMessages(200);
  const message = messages.find((candidate) => candidate.kind === "password_reset_link" && candidate.recipient === email);
  assert.ok(message, `no reset email to ${email}`);
  // The stored bodies are sealed (they carry the token): opened as the dispatcher opens them.
  const { textBody, htmlBody } = openedBodies(deps, message);
  const match = /(https?:\/\/\S+\/login\/reset\?token=([A-Za-z0-9_-]+))/.exec(textBody);
  assert.ok(match, "the email holds a reset link");
  return { url: match[1]!, token: match[2]!, text: textBody, html: htmlBody };
}

/** How many reset-link emails went to `email`. */
export async function resetEmailCount(deps: ServiceDeps, email: string): Promise<number> {
  return (await deps.store.messages.listMessages(1000)).filter((message) => message.kind === "password_reset_link" && message.recipient === email).length;
}
