import type { SmsGateway } from "../../services/deps.js";

export interface OutboxWriter {
  insertOutboxMessage(message: { id: string; channel: string; recipient: string; subject: string | null; body: string; createdAt: number }): Promise<void>;
}

/**
 * Development only: messages are stored and shown on /dev/outbox instead of
 * being sent. config.ts refuses this gateway in production, and the page is
 * not registered there.
 */
export function createOutboxSmsGateway(outbox: OutboxWriter, now: () => number): SmsGateway {
  return {
    name: "outbox",
    async send(message) {
      await outbox.insertOutboxMessage({ id: message.id, channel: "sms", recipient: message.to, subject: null, body: message.body, createdAt: now() });
      return { ok: true, providerMessageId: message.id };
    },
  };
}
