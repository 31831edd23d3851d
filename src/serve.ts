import { parseConfig } from "./config.js";
import { parseOperationsConfig } from "./config-operations.js";
import { demoUsers, loadDemoData } from "./services/demo.js";
import { startMessageDispatcher } from "./services/messages/message-dispatcher.js";
import { startReminderSchedule } from "./services/policy/two-factor-reminders.js";
import { startExpiredAppRecordSweep } from "./services/apps/expired-records.js";
import { buildApp } from "./http/app.js";
import { createServerLoggers, outsideRequestScope } from "./operations/logging.js";
import { createOperatedRuntime } from "./operations/server-parts.js";
import { onStopSignals } from "./operations/shutdown.js";

/**
 * The server, started by server.ts once the Node version fits. Without TWOSTEP_ENV it is production.
 * --demo (the quick start) asks for development, loads the demo data first and prints the logins.
 * Beside the public app it runs the management listener (/healthz, /readyz, /metrics) and shuts
 * down gracefully on SIGTERM/SIGINT (src/operations/, README "Operate").
 */
async function main() {
  const demo = process.argv.includes("--demo");
  const config = parseConfig(process.env, { demo });
  const operations = parseOperationsConfig(process.env, { development: config.environment === "development", terminal: process.stdout.isTTY === true });
  const loggers = await createServerLoggers(config, operations);
  const operated = await createOperatedRuntime(config, operations, loggers.services);
  const { runtime } = operated;
  if (demo) {
    const { created } = await loadDemoData(runtime.deps);
    process.stdout.write(`\nDemo data ${created ? "loaded" : "already present"}. Log in at ${config.publicUrl}/login with:\n`);
    for (const user of demoUsers) process.stdout.write(`  ${user.email.padEnd(24)} ${user.password.padEnd(22)} (${user.note})\n`);
    process.stdout.write("\n");
  }
  const app = await buildApp({ deps: runtime.deps, cookieSecret: runtime.cookieSecret, logger: loggers.fastify, genReqId: operated.genReqId, instrument: operated.instrumentApp });
  // Emails wait in the outbox table until this sends them, after the change that wrote them committed.
  const dispatcher = startMessageDispatcher(runtime.deps, config.email.pollSeconds * 1000);
  // A change that enqueued an email came through a state-changing request: look soon, not at the next poll.
  app.addHook("onResponse", async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") outsideRequestScope(() => dispatcher.kick());
  });
  // P1: reminders 14, 3 and 1 days before a deadline, claimed through the database (several instances send once).
  const stopReminders = startReminderSchedule(runtime.deps, { intervalMs: 60 * 60 * 1000 });
  // Issue 15: the provider's expired rows and the app records of sessions ended a day ago, hourly.
  const stopSweep = startExpiredAppRecordSweep(runtime.deps);
  onStopSignals({
    app,
    management: operated.management,
    markShuttingDown: operated.markShuttingDown,
    stopDispatcher: () => dispatcher.stop(),
    stopSchedules: () => {
      stopReminders();
      stopSweep();
    },
    closeRuntime: () => runtime.close(),
    graceSeconds: operations.shutdownGraceSeconds,
    logger: runtime.deps.logger,
  });
  if (operated.management && operations.management) {
    const { host, port } = operations.management;
    await operated.management.listen({ host, port }).catch((error: unknown) => {
      throw new Error(`the management listener could not listen on ${host}:${port} (TWOSTEP_MANAGEMENT_ADDRESS): ${error instanceof Error && "code" in error ? String(error.code) : String(error)}`);
    });
  }
  await app.listen({ host: config.host, port: config.port });
  const managementLine = operations.management ? `; management on http://${operations.management.host.includes(":") ? `[${operations.management.host}]` : operations.management.host}:${operations.management.port}` : "";
  process.stdout.write(`twostep is serving ${config.publicUrl} (Node.js ${process.version})${managementLine}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`twostep failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
