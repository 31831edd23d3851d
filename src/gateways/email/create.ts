import type { EmailConfig } from "../../config.js";
import type { EmailGateway } from "../../services/deps.js";
import type { OutboxWriter } from "../sms/outbox.js";
import { createOutboxEmailGateway } from "./outbox.js";
import { createSmtpEmailGateway } from "./smtp.js";

/** The configured email gateway. Retries are the dispatcher's: a failed send waits in the outbox table, not in memory. */
export function createEmailGateway(config: EmailConfig, outbox: OutboxWriter, now: () => number, newId: () => string): EmailGateway {
  switch (config.gateway) {
    case "outbox":
      return createOutboxEmailGateway(outbox, now, newId);
    case "smtp":
      return createSmtpEmailGateway({ url: config.smtpUrl!, from: config.from! });
    case "none":
      return { name: "none", send: async () => ({ ok: false, transient: false, reason: "no email gateway is configured (TWOSTEP_EMAIL_GATEWAY)" }) };
  }
}
