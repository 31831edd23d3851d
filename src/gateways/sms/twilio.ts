import type { SmsGateway } from "../../services/deps.js";
import { isTransientStatus } from "./retry.js";

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** A sender number (+E.164) or a Messaging Service SID (MG…). */
  from: string;
  /** https://api.twilio.com in production; a local server in tests. */
  baseUrl: string;
  timeoutMs?: number;
}

/**
 * Twilio's Programmable Messaging REST API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
 * HTTP Basic auth with the Account SID and Auth Token, a form body with `To`,
 * `From` (or `MessagingServiceSid`) and `Body`; 201 with the message `sid`.
 */
export function createTwilioSmsGateway(options: TwilioOptions): SmsGateway {
  const url = `${options.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString("base64")}`;
  return {
    name: "twilio",
    async send(message) {
      const form = new URLSearchParams({ To: message.to, Body: message.body });
      form.set(options.from.startsWith("MG") ? "MessagingServiceSid" : "From", options.from);
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { authorization, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body: form.toString(),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        return { ok: false, transient: true, reason: `network: ${error instanceof Error ? error.name : "error"}` };
      }
      const payload = (await response.json().catch(() => ({}))) as { sid?: string; code?: number };
      if (response.status === 201 || response.status === 200) {
        return payload.sid ? { ok: true, providerMessageId: payload.sid } : { ok: false, transient: false, reason: "no message sid in the answer" };
      }
      return { ok: false, transient: isTransientStatus(response.status), reason: `HTTP ${response.status}${payload.code ? ` (Twilio error ${payload.code})` : ""}` };
    },
  };
}
