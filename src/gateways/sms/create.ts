import type { SmsConfig } from "../../config.js";
import type { SmsGateway } from "../../services/deps.js";
import { createOutboxSmsGateway, type OutboxWriter } from "./outbox.js";
import { defaultRetry, withRetry } from "./retry.js";
import { createTwilioSmsGateway } from "./twilio.js";
import { createWebhookSmsGateway } from "./webhook.js";

/** The configured SMS gateway, with retries for the real providers. */
export function createSmsGateway(config: SmsConfig, outbox: OutboxWriter, now: () => number): SmsGateway {
  switch (config.gateway) {
    case "outbox":
      return createOutboxSmsGateway(outbox, now);
    case "twilio":
      return withRetry(createTwilioSmsGateway(config.twilio!), defaultRetry);
    case "webhook":
      return withRetry(createWebhookSmsGateway({ ...config.webhook!, now }), defaultRetry);
    case "none":
      return { name: "none", send: async () => ({ ok: false, transient: false, reason: "no SMS gateway is configured (TWOSTEP_SMS_GATEWAY)" }) };
  }
}
