import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errorMessage, errorStatus, type ErrorCode } from "../../services/failures.js";

/** The JSON body of every API error: a code from the catalogue and its message. */
export function sendApiError(reply: FastifyReply, code: ErrorCode, extra: { field?: string; retryAfterSeconds?: number } = {}) {
  if (extra.retryAfterSeconds) reply.header("retry-after", String(extra.retryAfterSeconds));
  return reply.code(errorStatus(code)).type("application/json").send({ code, message: errorMessage(code), ...extra });
}

/** Maps Fastify's own errors (validation, content type, size) onto the catalogue. */
export function classifyFrameworkError(error: FastifyError): { code: ErrorCode; field?: string } {
  if (error.validation) {
    const first = error.validation[0];
    if (first?.keyword === "additionalProperties") {
      return { code: "unknown_field", field: String((first.params as { additionalProperty?: string }).additionalProperty ?? "") };
    }
    const path = first?.instancePath?.replace(/^\//, "") || String((first?.params as { missingProperty?: string })?.missingProperty ?? "");
    return { code: "invalid_request", ...(path ? { field: path } : {}) };
  }
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { code: "unsupported_media_type" };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { code: "body_too_large" };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { code: "invalid_request" };
    // Node refused a header value: only request data put into a header (a redirect's
    // Location) gets there, so it is the request that is bad, not the server.
    case "ERR_INVALID_CHAR":
    case "ERR_HTTP_INVALID_HEADER_VALUE":
      return { code: "invalid_request" };
    case "ERR_MALFORMED_FORM_ENCODING":
      return { code: "malformed_encoding" };
    case "FST_CSRF_INVALID_TOKEN":
    case "FST_CSRF_MISSING_SECRET":
      return { code: "csrf_invalid" };
  }
  if (error.statusCode === 415) return { code: "unsupported_media_type" };
  if (error.statusCode === 413) return { code: "body_too_large" };
  if (error instanceof SyntaxError || error.statusCode === 400) return { code: "invalid_request" };
  if (error.statusCode === 403) return { code: "forbidden" };
  return { code: "internal_error" };
}

/** Logs a bug without the request body (which may hold a password or code). */
export function logUnexpected(app: FastifyInstance, request: FastifyRequest, error: Error) {
  app.log.error({ err: { message: error.message, stack: error.stack }, url: request.routeOptions.url }, "unexpected error");
}
