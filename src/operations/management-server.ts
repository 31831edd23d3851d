import Fastify, { type FastifyInstance } from "fastify";
import type { Metrics } from "./metrics.js";
import type { Readiness } from "./readiness.js";

/**
 * The management listener (TWOSTEP_MANAGEMENT_ADDRESS, default 127.0.0.1:9464): a
 * Fastify instance of its own, on its own address, so the public app never
 * serves these routes (its router has none of them). Nothing here takes input.
 *   GET /healthz  200 while the process answers
 *   GET /readyz   200 or 503, with a JSON reason per check (readiness.ts)
 *   GET /metrics  Prometheus text (metrics.ts)
 */
export async function buildManagementServer(parts: { metrics: Metrics; readiness: () => Promise<Readiness> }): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.addHook("onSend", async (_request, reply) => {
    reply.header("cache-control", "no-store");
  });
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const readiness = await parts.readiness();
    return reply.code(readiness.ready ? 200 : 503).send({ status: readiness.ready ? "ready" : "not_ready", checks: readiness.checks });
  });
  app.get("/metrics", async (_request, reply) => {
    const text = await parts.metrics.registry.metrics();
    return reply.type(parts.metrics.registry.contentType).send(text);
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ code: "not_found" }));
  return app;
}
