import { ConfigError, integer, required, type Env, type Environment } from "./config-env.js";

/** The SMS and email settings of Config (README "Configuration"). */

export interface SmsConfig {
  /** TWOSTEP_SMS_GATEWAY: outbox (development default; refused in production) | twilio | webhook | none (production default). */
  gateway: "outbox" | "twilio" | "webhook" | "none";
  /** TWOSTEP_SMS_CODE_TTL_SECONDS (default 300): an SMS code dies after this (SECURITY 24: at most 10 minutes). */
  codeTtlSeconds: number;
  /** TWOSTEP_SMS_RESEND_SECONDS (default 30): "Send a new code" is refused more often than this. */
  resendSeconds: number;
  /** TWOSTEP_SMS_ALLOWED_COUNTRIES (default: a list of low-fraud countries, see README): ISO codes, comma-separated. */
  allowedCountries: string[];
  /** TWOSTEP_SMS_DEFAULT_COUNTRY (default GB): how a number without + is read. */
  defaultCountry: string;
  /** Sends allowed per hour: TWOSTEP_SMS_LIMIT_PER_USER (10), _PER_ADDRESS (20), _PER_NUMBER (5), _PER_COUNTRY (200). */
  limitsPerHour: { user: number; address: number; number: number; country: number };
  /** TWOSTEP_TWILIO_ACCOUNT_SID, TWOSTEP_TWILIO_AUTH_TOKEN, TWOSTEP_TWILIO_FROM, TWOSTEP_TWILIO_BASE_URL (default https://api.twilio.com). */
  twilio: { accountSid: string; authToken: string; from: string; baseUrl: string } | null;
  /** TWOSTEP_SMS_WEBHOOK_URL and TWOSTEP_SMS_WEBHOOK_SECRET: an HMAC-signed JSON POST per message. */
  webhook: { url: string; secret: string } | null;
}

export interface EmailConfig {
  /** TWOSTEP_EMAIL_GATEWAY: outbox (development default; refused in production) | smtp | none (production default: no email is written or sent). */
  gateway: "outbox" | "smtp" | "none";
  /** TWOSTEP_SMTP_URL: smtp://user:password@host:port or smtps://user:password@host:port; required with smtp. The password is never logged. */
  smtpUrl: string | null;
  /** TWOSTEP_EMAIL_FROM: the From header, e.g. `twostep <no-reply@example.com>`; required with smtp. */
  from: string | null;
  /** TWOSTEP_EMAIL_POLL_SECONDS (default 5): how often each server looks for emails to send. */
  pollSeconds: number;
  /** TWOSTEP_EMAIL_RETRY_SECONDS (default 30): the wait after a first failed send; each further one waits four times longer, at most an hour. */
  retrySeconds: number;
}

const defaultSmsCountries = "GB,IE,US,CA,DE,FR,NL,BE,LU,ES,PT,IT,AT,CH,DK,SE,NO,FI,PL,CZ,AU,NZ";

export function parseSmsConfig(env: Env, environment: Environment): SmsConfig {
  const gateway = env.TWOSTEP_SMS_GATEWAY ?? (environment === "production" ? "none" : "outbox");
  if (gateway !== "outbox" && gateway !== "twilio" && gateway !== "webhook" && gateway !== "none") {
    throw new ConfigError(`TWOSTEP_SMS_GATEWAY must be outbox, twilio, webhook or none, not "${gateway}"`);
  }
  if (gateway === "outbox" && environment === "production") {
    throw new ConfigError("TWOSTEP_SMS_GATEWAY=outbox is for development only; use twilio or webhook in production");
  }
  const twilio =
    gateway === "twilio"
      ? {
          accountSid: required(env, "TWOSTEP_TWILIO_ACCOUNT_SID"),
          authToken: required(env, "TWOSTEP_TWILIO_AUTH_TOKEN"),
          from: required(env, "TWOSTEP_TWILIO_FROM"),
          baseUrl: (env.TWOSTEP_TWILIO_BASE_URL ?? "https://api.twilio.com").replace(/\/$/, ""),
        }
      : null;
  const webhook = gateway === "webhook" ? { url: required(env, "TWOSTEP_SMS_WEBHOOK_URL"), secret: required(env, "TWOSTEP_SMS_WEBHOOK_SECRET") } : null;
  const countries = (env.TWOSTEP_SMS_ALLOWED_COUNTRIES ?? defaultSmsCountries).split(",").map((code) => code.trim().toUpperCase()).filter(Boolean);
  if (countries.some((code) => !/^[A-Z]{2}$/.test(code))) throw new ConfigError("TWOSTEP_SMS_ALLOWED_COUNTRIES must be two-letter country codes, comma-separated");
  return {
    gateway,
    codeTtlSeconds: integer(env, "TWOSTEP_SMS_CODE_TTL_SECONDS", 300, 60, 600),
    resendSeconds: integer(env, "TWOSTEP_SMS_RESEND_SECONDS", 30, 0, 600),
    allowedCountries: countries,
    defaultCountry: (env.TWOSTEP_SMS_DEFAULT_COUNTRY ?? "GB").toUpperCase(),
    limitsPerHour: {
      user: integer(env, "TWOSTEP_SMS_LIMIT_PER_USER", 10, 1, 100000),
      address: integer(env, "TWOSTEP_SMS_LIMIT_PER_ADDRESS", 20, 1, 100000),
      number: integer(env, "TWOSTEP_SMS_LIMIT_PER_NUMBER", 5, 1, 100000),
      country: integer(env, "TWOSTEP_SMS_LIMIT_PER_COUNTRY", 200, 1, 10000000),
    },
    twilio,
    webhook,
  };
}

export function parseEmailConfig(env: Env, environment: Environment): EmailConfig {
  const gateway = env.TWOSTEP_EMAIL_GATEWAY ?? (environment === "production" ? "none" : "outbox");
  if (gateway !== "outbox" && gateway !== "smtp" && gateway !== "none") {
    throw new ConfigError(`TWOSTEP_EMAIL_GATEWAY must be outbox, smtp or none, not "${gateway}"`);
  }
  if (gateway === "outbox" && environment === "production") {
    throw new ConfigError("TWOSTEP_EMAIL_GATEWAY=outbox is for development only; use smtp in production");
  }
  const smtpUrl = gateway === "smtp" ? required(env, "TWOSTEP_SMTP_URL", "the smtp email gateway") : null;
  const from = gateway === "smtp" ? required(env, "TWOSTEP_EMAIL_FROM", "the smtp email gateway") : null;
  if (smtpUrl !== null && from !== null) {
    const parsed = URL.canParse(smtpUrl) ? new URL(smtpUrl) : null;
    // The message never repeats the URL: it may hold the SMTP password.
    if (!parsed || (parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:") || !parsed.hostname) {
      throw new ConfigError("TWOSTEP_SMTP_URL must look like smtp://user:password@host:port or smtps://user:password@host:port");
    }
    if (!/^[^@\s<>]+@[^@\s<>]+$/.test(from.match(/<([^<>]*)>\s*$/)?.[1] ?? from)) {
      throw new ConfigError(`TWOSTEP_EMAIL_FROM must be an email address, optionally with a name (twostep <no-reply@example.com>), not "${from}"`);
    }
  }
  const pollSeconds = integer(env, "TWOSTEP_EMAIL_POLL_SECONDS", 5, 1, 3600);
  return { gateway, smtpUrl, from, pollSeconds, retrySeconds: integer(env, "TWOSTEP_EMAIL_RETRY_SECONDS", 30, 1, 3600) };
}
