import type { EventsDeps } from "./deps.js";
import { csvLine } from "../../domain/csv.js";
import type { Result } from "../../domain/errors.js";
import type { LoggedEvent } from "../../store/ports/events.js";
import type { Actor } from "../access/access.js";
import { eventLabels } from "./audit.js";
import type { RequestContext } from "../deps.js";
import { resolveEventSearch, type EventLogQuery } from "./event-log.js";

export const csvColumns = ["time", "type", "label", "actor_email", "subject_email", "account", "client_address", "user_agent", "detail"] as const;

const batchSize = 500;

export function eventCsvLine(event: LoggedEvent): string {
  const detail = Object.entries(event.detail).map(([key, value]) => `${key}=${String(value)}`).join("; ");
  return csvLine([
    new Date(event.createdAt).toISOString(),
    event.type,
    eventLabels[event.type] ?? event.type,
    event.actorEmail,
    event.subjectEmail,
    event.accountName,
    event.clientAddress,
    event.userAgent,
    detail,
  ]);
}

/**
 * The whole filtered log as CSV, asked once of the access table and then read
 * in keyset batches: memory stays one batch however long the log is.
 */
export async function exportEventLogCsv(
  deps: EventsDeps,
  actor: Actor,
  query: Omit<EventLogQuery, "cursor" | "limit">,
  context: RequestContext,
): Promise<Result<{ lines: AsyncIterable<string> }>> {
  const resolved = await resolveEventSearch(deps, actor, query, context);
  if (!resolved.ok) return resolved;
  const { search } = resolved;
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(csvColumns);
    let before: number | undefined;
    for (;;) {
      const batch = await deps.store.events.searchEvents({ ...search, limit: batchSize, ...(before !== undefined ? { before } : {}) });
      for (const event of batch) yield eventCsvLine(event);
      if (batch.length < batchSize) return;
      before = batch.at(-1)!.seq;
    }
  }
  return { ok: true, lines: lines() };
}
