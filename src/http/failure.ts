import type { FastifyReply } from "fastify";
import { errorMessage, errorStatus, type Failure } from "../services/failures.js";
import { sendApiError } from "./plugins/errors.js";

/** What every surface shows for a failure: the catalogue's status and message, and the field it belongs next to. */
export interface FailureAnswer {
  status: number;
  field: string | null;
  message: string;
}

/**
 * The one mapping from a service failure to an answer (issue 8, item 9). The
 * status always comes from the catalogue (domain/errors.ts), so a page and the
 * JSON API answer the same failure with the same status; no route keeps a
 * mapping of its own.
 */
export function failureAnswer(failure: Pick<Failure, "code" | "field">): FailureAnswer {
  return { status: errorStatus(failure.code), field: failure.field ?? null, message: errorMessage(failure.code) };
}

/** The JSON API's answer to a failure: `{ code, message, field?, retryAfterSeconds? }` with the catalogue's status. */
export function sendApiFailure(reply: FastifyReply, failure: Failure) {
  return sendApiError(reply, failure.code, {
    ...(failure.field ? { field: failure.field } : {}),
    ...(failure.retryAfterSeconds ? { retryAfterSeconds: failure.retryAfterSeconds } : {}),
  });
}
