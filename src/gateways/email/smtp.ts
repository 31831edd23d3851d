import type { Transporter } from "nodemailer";
import type { EmailGateway, EmailSendResult } from "../../services/deps.js";

export interface SmtpOptions {
  /** smtp://user:password@host:port (STARTTLS when the server offers it) or smtps://… (TLS from the start). */
  url: string;
  /** The From header, e.g. `twostep <no-reply@example.com>`. */
  from: string;
  /** Per-phase timeouts; the dispatcher's lease must outlast their sum. */
  timeoutMs?: number;
}

/**
 * Sends through an SMTP server with nodemailer. The URL's user and password are
 * the SMTP login; they are passed to nodemailer and never logged or put in a
 * failure reason (a reason is the SMTP reply code or nodemailer's error code).
 */
export function createSmtpEmailGateway(options: SmtpOptions): EmailGateway {
  const url = new URL(options.url);
  const timeout = options.timeoutMs ?? 10_000;
  // nodemailer (about 26 MB of memory alone, bench/memory-split.ts) is loaded at the first send, not at start:
  // a server whose outbox is empty, or that only logs people in, never holds it.
  let transport: Promise<Transporter> | undefined;
  let created: Transporter | undefined;
  const transportOf = () =>
    (transport ??= import("nodemailer").then(({ default: nodemailer }) =>
      (created = nodemailer.createTransport({
        host: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port ? Number(url.port) : url.protocol === "smtps:" ? 465 : 587,
        secure: url.protocol === "smtps:",
        ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout * 2,
      })),
    ));
  return {
    name: "smtp",
    async send(message) {
      try {
        // The recipient as an address object: nodemailer parses a string as a list and would
        // split `a,b@x` into two recipients; an object is one mailbox, used as it is (issue 20).
        const to = { name: "", address: message.to };
        const info = await (await transportOf()).sendMail({ from: options.from, to, subject: message.subject, text: message.text, html: message.html });
        return { ok: true, providerMessageId: String(info.messageId ?? "") };
      } catch (error) {
        return classifySmtpError(error);
      }
    },
    close: () => created?.close(),
  };
}

/** nodemailer's codes for a request the server will never accept as it stands. */
const permanentCodes = new Set(["EENVELOPE", "ECONFIG", "ENOAUTH", "EMAXRECIPIENTS", "EREQUIRETLS"]);

/**
 * An SMTP reply says which it is (RFC 5321 §4.2.1): 4xx is a transient
 * negative reply (try again later), 5xx permanent. With no reply, a
 * connection, socket, DNS, TLS or timeout error is transient.
 */
export function classifySmtpError(error: unknown): EmailSendResult & { ok: false } {
  const { responseCode, code } = (error ?? {}) as { responseCode?: unknown; code?: unknown };
  if (typeof responseCode === "number" && responseCode >= 400 && responseCode < 600) {
    return { ok: false, transient: responseCode < 500, reason: `SMTP ${responseCode}` };
  }
  const name = typeof code === "string" ? code : "error";
  return { ok: false, transient: !permanentCodes.has(name), reason: `SMTP ${name}` };
}
