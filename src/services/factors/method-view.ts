import type { Method, MethodType } from "../../domain/model.js";

/** What pages and the API may show of a method: never its secret (SECURITY 18). */
export interface MethodView {
  id: string;
  type: MethodType;
  name: string;
  isDefault: boolean;
  createdAt: number;
  lastUsedAt: number | null;
  /** The masked phone number for SMS; null for an authenticator app. */
  displayHint: string | null;
}

export function toMethodView(method: Method): MethodView {
  return {
    id: method.id,
    type: method.type,
    name: method.name,
    isDefault: method.isDefault,
    createdAt: method.confirmedAt ?? method.createdAt,
    lastUsedAt: method.lastUsedAt,
    displayHint: method.displayHint,
  };
}
