import { createHmac } from "node:crypto";
import type { SmsGateway } from "../../services/deps.js";
import { isTransientStatus } from "./retry.js";

export interface WebhookOptions {
  url: string;
  secret: string;
  now: () => number;
  timeoutMs?: number;
}

/**
 * A generic provider hook: a JSON POST `{ id, to, body, createdAt }` signed like
 * Stripe's webhooks. `X-Twostep-Timestamp` is Unix seconds and
 * `X-Twostep-Signature` is `v1=` + hex HMAC-SHA256(secret, timestamp + "." + raw body);
 * the receiver recomputes it and rejects old timestamps (replays).
 */
export function createWebhookSmsGateway(options: WebhookOptions): SmsGateway {
  return {
    name: "webhook",
    async send(message) {
      const timestamp = Math.floor(options.now() / 1000).toString();
      const body = JSON.stringify({ id: message.id, to: message.to, body: message.body, createdAt: new Date(options.now()).toISOString() });
      const signature = signWebhookBody(options.secret, timestamp, body);
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-twostep-timestamp": timestamp, "x-twostep-signature": `v1=${signature}` },
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        return { ok: false, transient: true, reason: `network: ${error instanceof Error ? error.name : "error"}` };
      }
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true, providerMessageId: response.headers.get("x-message-id") ?? message.id };
      return { ok: false, transient: isTransientStatus(response.status), reason: `HTTP ${response.status}` };
    },
  };
}

export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}
