/**
 * What both hand-written baselines (baseline-server.ts on SQLite, baseline-postgres.ts on
 * PostgreSQL) share with src/http/app.ts: the Fastify options, the security-headers and
 * no-store hooks, the second step's body schema and error bodies, and the event id shape.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import type { Config } from "../src/config.js";
import { SecondFactorBody } from "../src/http/api/schemas.js";
import { fastifyTrustProxy } from "../src/http/context.js";
import { sendApiError } from "../src/http/plugins/errors.js";
import { registerSecurityHeaders } from "../src/http/plugins/security-headers.js";
import { isTokenShaped } from "../src/security/tokens.js";

export type Outcome =
  | { code: "login_expired" | "invalid_request" | "invalid_code_format" | "invalid_code"; field?: string }
  | { code: "locked_out"; retryAfterSeconds: number }
  | { code: "baseline_wrong_code_only" };

export interface SecondStepInput {
  token: string;
  code: string;
  methodId?: string | undefined;
  address: string | null;
  userAgent: string | null;
}

let eventSequence = 0;
/** The same id shape as src/services/events/audit.ts newEventId: time, per-process sequence, random id. */
export const newEventId = (now: number) => {
  eventSequence = (eventSequence + 1) % 36 ** 6;
  return `${now.toString(36).padStart(10, "0")}-${eventSequence.toString(36).padStart(6, "0")}-${randomUUID()}`;
};

/** A Fastify app set up as src/http/app.ts sets up the real one. */
export function createBaselineApp(config: Config): FastifyInstance {
  const app = Fastify({
    logger: false,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    bodyLimit: 16 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
  });
  registerSecurityHeaders(app, { tls: config.publicUrl.startsWith("https://") });
  app.addHook("onSend", async (request, reply) => {
    if (!request.url.startsWith("/assets/")) reply.header("cache-control", "no-store");
  });
  return app;
}

/** POST /api/login/second-factor with the real route's schema and answers, the work done by `secondStep`. */
export function addSecondStepRoute(app: FastifyInstance, secondStep: (input: SecondStepInput) => Outcome | Promise<Outcome>) {
  app.post("/api/login/second-factor", { schema: { body: SecondFactorBody } }, async (request, reply) => {
    const body = request.body as { flowId: string; code: string; methodId?: string };
    if (!isTokenShaped(body.flowId)) return sendApiError(reply, "login_expired");
    const agent = request.headers["user-agent"];
    const outcome = await secondStep({ token: body.flowId, code: body.code.replace(/\s/g, ""), methodId: body.methodId, address: request.ip ?? null, userAgent: typeof agent === "string" ? agent.slice(0, 256) : null });
    return sendOutcome(reply, outcome);
  });
}

function sendOutcome(reply: FastifyReply, outcome: Outcome) {
  if (outcome.code === "baseline_wrong_code_only") return reply.code(422).send({ code: outcome.code, message: "the baseline only handles wrong codes" });
  if (outcome.code === "locked_out") return sendApiError(reply, "locked_out", { retryAfterSeconds: outcome.retryAfterSeconds });
  return sendApiError(reply, outcome.code, "field" in outcome && outcome.field ? { field: outcome.field } : {});
}
