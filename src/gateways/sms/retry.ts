import type { SmsMessage, SmsSendResult, SmsGateway } from "../../services/deps.js";

export interface RetryOptions {
  /** Tries in all, the first included (default 3). */
  attempts: number;
  /** Wait before the second try; doubled for each further one (default 300 ms). */
  baseDelayMs: number;
  sleep: (milliseconds: number) => Promise<void>;
}

export const defaultRetry: RetryOptions = {
  attempts: 3,
  baseDelayMs: 300,
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/**
 * Retries transient provider failures (network errors, 429, 5xx) with
 * exponential backoff; a permanent failure (a 4xx about the request) returns at once.
 */
export function withRetry(gateway: SmsGateway, options: RetryOptions = defaultRetry): SmsGateway {
  return {
    name: gateway.name,
    async send(message: SmsMessage): Promise<SmsSendResult> {
      let result: SmsSendResult = { ok: false, transient: true, reason: "not sent" };
      for (let attempt = 1; attempt <= options.attempts; attempt++) {
        result = await gateway.send(message);
        if (result.ok || !result.transient) return result;
        if (attempt < options.attempts) await options.sleep(options.baseDelayMs * 2 ** (attempt - 1));
      }
      return result;
    },
  };
}

/** Network errors and 429/5xx are worth another try; other statuses are not. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
