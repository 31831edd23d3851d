import type { FastifyInstance } from "fastify";
import type { ServiceDeps } from "../../services/deps.js";
import { sendPage } from "./render.js";
import { outboxPage } from "./views/outbox.js";

/**
 * Development-only pages. pagesPlugin registers them only outside production,
 * so in production /dev/outbox is an ordinary 404.
 */
export function registerDevelopmentPages(app: FastifyInstance, deps: ServiceDeps) {
  app.get("/dev/outbox", async (_request, reply) => {
    const messages = await deps.store.outbox.listOutboxMessages(50);
    return sendPage(reply, { title: "Development outbox" }, outboxPage(messages));
  });
}
