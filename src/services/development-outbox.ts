import type { OutboxMessage } from "../domain/model.js";
import type { ServiceDeps } from "./deps.js";

/**
 * Development only: the newest messages the outbox gateways kept instead of
 * sending (the /dev/outbox page, never registered in production).
 */
export function listDevelopmentOutbox(deps: ServiceDeps, limit: number): Promise<OutboxMessage[]> {
  return deps.store.outbox.listOutboxMessages(limit);
}
