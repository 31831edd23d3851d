import type { EmailGateway } from "../../services/deps.js";
import type { OutboxWriter } from "../sms/outbox.js";

/**
 * Development only: an email "sent" here lands in the development outbox
 * (channel `email`, with its subject and text part) and is shown on
 * /dev/outbox beside the texts. config.ts refuses this gateway in production.
 */
export function createOutboxEmailGateway(outbox: OutboxWriter, now: () => number, newId: () => string): EmailGateway {
  return {
    name: "outbox",
    async send(message) {
      const id = newId();
      await outbox.insertOutboxMessage({ id, channel: "email", recipient: message.to, subject: message.subject, body: message.text, createdAt: now() });
      return { ok: true, providerMessageId: id };
    },
  };
}
