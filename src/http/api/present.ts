import type { CodeDelivery } from "../../services/factors/code-delivery.js";
import { errorMessage } from "../../services/failures.js";
import type { MethodView } from "../../services/factors/method-view.js";

export const iso = (milliseconds: number) => new Date(milliseconds).toISOString();

export function presentMethod(method: MethodView) {
  return {
    id: method.id,
    type: method.type,
    name: method.name,
    isDefault: method.isDefault,
    createdAt: iso(method.createdAt),
    lastUsedAt: method.lastUsedAt === null ? null : iso(method.lastUsedAt),
    displayHint: method.displayHint,
  };
}

export function presentDelivery(delivery: CodeDelivery) {
  if (delivery.status === "sent") return { status: "sent" as const, expiresAt: iso(delivery.expiresAt) };
  if (delivery.status === "failed") {
    return {
      status: "failed" as const,
      error: { code: delivery.code, message: errorMessage(delivery.code), ...(delivery.retryAfterSeconds ? { retryAfterSeconds: delivery.retryAfterSeconds } : {}) },
    };
  }
  return { status: "not_needed" as const };
}

/** A security key's prompt options, for the answers that start one. */
export function presentBrowserPrompt(delivery: CodeDelivery) {
  return delivery.status === "browser_prompt" ? { webauthnOptions: delivery.browserOptions as { challenge: string } } : {};
}
