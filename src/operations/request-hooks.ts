import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
// The global `performance` is a getter Node.js resolves on every use (about 0.1 µs each, 14 uses a request).
import { performance } from "node:perf_hooks";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { requestScope } from "./logging.js";
import type { Metrics } from "./metrics.js";

/**
 * Request ids (README "Operate"). Every request gets one: a new random UUID, or, with
 * TWOSTEP_TRUST_REQUEST_ID=true, the incoming `X-Request-Id` when it is 1–128 letters,
 * digits and `-_.:` (anything else, or no header, gets a new one). Believe it only behind a
 * proxy that always sets or overwrites the header: otherwise a client picks the id its lines
 * are filed under. The answer carries the id in `X-Request-Id`.
 */
const acceptableId = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdGenerator(trustIncoming: boolean): (request: IncomingMessage) => string {
  if (!trustIncoming) return () => randomUUID();
  return (request) => {
    const incoming = request.headers["x-request-id"];
    return typeof incoming === "string" && acceptableId.test(incoming) ? incoming : randomUUID();
  };
}

const methods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

declare module "fastify" {
  interface FastifyRequest {
    /** When the answer's timing began (`performance.now()`), 0 when it is not timed here (no metrics, or an answer sent outside Fastify). */
    answerTimedFrom: number;
  }
}

/**
 * On the public app: the id in the answer; `Connection: close` once shutting down; the services' log lines of a request carry its id
 * (the scope is entered after the body is read, where Fastify runs the route's own work: a
 * scope entered earlier would be lost in the body stream's callbacks); and with metrics, each
 * answer's duration under its route template (`/api/me/methods/:methodId`, never the URL;
 * `unmatched` for a 404 that matched no route), from its `onRequest` to its `onSend` (the
 * body serialised, about to be written), in the `onSend` hook this file already needs. An answer
 * Fastify does not send (`answeredOutside`: the OpenID Connect provider's, written by the
 * provider in its `onRequest`, where Fastify's `onSend` never runs) is timed to the response's
 * `finish` instead. Neither is a Fastify `onResponse` hook: in an app without a request logger
 * that hook alone turns on Fastify's per-reply timing and listeners, about 5 % of a wrong-code
 * second step's CPU (bench "metrics on vs off", bench/README.md); and a `finish` listener on
 * every answer cost 1–3 µs of it.
 */
export function installRequestHooks(app: FastifyInstance, metrics: Metrics | null, shuttingDown: () => boolean, answeredOutside: (url: string) => boolean = () => false): void {
  app.decorateRequest("answerTimedFrom", 0);
  const timeToFinish = metrics ? finishTimer(metrics) : null;
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    if (metrics) {
      if (answeredOutside(request.url)) timeToFinish!(request, reply);
      else request.answerTimedFrom = performance.now();
    }
    done();
  });
  // Shutting down: a request still running answers with `Connection: close`, so its kept-alive
  // connection ends with it instead of idling (Fastify keeps idle connections 72 s) and holding
  // the listener's close until the grace period cuts it.
  app.addHook("onSend", (request, reply, payload, done) => {
    if (shuttingDown()) reply.header("connection", "close");
    const from = request.answerTimedFrom;
    if (from !== 0 && metrics) {
      // Once per request, even if an error answer is sent after this one.
      request.answerTimedFrom = 0;
      metrics.requestFinished(routeOf(request), methodOf(request), reply.statusCode, (performance.now() - from) / 1000);
    }
    done(null, payload);
  });
  app.addHook("preValidation", (request, _reply, done) => {
    requestScope.run({ reqId: String(request.id) }, done);
  });
}

const routeOf = (request: FastifyRequest) => request.routeOptions.url ?? "unmatched";
const methodOf = (request: FastifyRequest) => (methods.has(request.method) ? request.method : "OTHER");

function finishTimer(metrics: Metrics): (request: FastifyRequest, reply: FastifyReply) => void {
  return (request, reply) => {
    const start = performance.now();
    const response = reply.raw;
    response.on("finish", () => metrics.requestFinished(routeOf(request), methodOf(request), response.statusCode, (performance.now() - start) / 1000));
  };
}
