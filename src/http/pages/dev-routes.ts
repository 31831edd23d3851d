import type { FastifyRequest } from "fastify";
import { isLoopbackAddress } from "../../services/messages/development-outbox.js";
import { loginFlowCookie, sessionCookie } from "../plugins/authentication.js";
import type { ServiceDeps } from "../../services/deps.js";
import { listDevelopmentOutbox } from "../../services/messages/development-outbox.js";
import { sendPage } from "./render.js";
import { outboxPage } from "./views/outbox.js";
import type { TypedApp } from "../typed-app.js";

/**
 * Development-only pages. pagesPlugin registers them only outside production,
 * so in production /dev/outbox is an ordinary 404.
 *
 * The outbox shows SMS codes with their full numbers: with a password, that
 * finishes an SMS login. So it answers the person at the machine only; anyone
 * else gets the ordinary 404, even when the server was told to listen on the
 * network (TWOSTEP_ALLOW_REMOTE_DEVELOPMENT). And it shows a browser only the
 * messages of its own login in progress and of its signed-in user.
 */
export function registerDevelopmentPages(app: TypedApp, deps: ServiceDeps) {
  app.get("/dev/outbox", async (request, reply) => {
    if (!fromThisMachine(request)) return reply.callNotFound();
    const viewer = { sessionToken: request.cookies[sessionCookie], loginFlowToken: request.cookies[loginFlowCookie] };
    const messages = await listDevelopmentOutbox(deps, viewer, 50);
    return sendPage(reply, { title: "Development outbox" }, outboxPage(messages));
  });
}

/**
 * The socket's peer decides, never X-Forwarded-For or request.ip (a client
 * writes the header, and TWOSTEP_TRUST_PROXY may believe it). The header can
 * only take access away: a request a local proxy forwarded for someone else
 * (a non-loopback entry, or a Forwarded header) is refused too.
 */
function fromThisMachine(request: FastifyRequest): boolean {
  if (!isLoopbackAddress(request.socket.remoteAddress)) return false;
  if (request.headers.forwarded !== undefined) return false;
  const forwardedFor = request.headers["x-forwarded-for"];
  if (forwardedFor === undefined) return true;
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",").map((entry) => entry.trim());
  return entries.every((entry) => isLoopbackAddress(entry));
}
