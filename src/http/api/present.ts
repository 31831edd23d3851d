import type { MethodView } from "../../services/method-view.js";

export const iso = (milliseconds: number) => new Date(milliseconds).toISOString();

export function presentMethod(method: MethodView) {
  return {
    id: method.id,
    type: method.type,
    name: method.name,
    isDefault: method.isDefault,
    createdAt: iso(method.createdAt),
    lastUsedAt: method.lastUsedAt === null ? null : iso(method.lastUsedAt),
  };
}
