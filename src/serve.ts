import { parseConfig } from "./config.js";
import { createRuntime } from "./bootstrap.js";
import { demoUsers, loadDemoData } from "./services/demo.js";
import { startMessageDispatcher } from "./services/messages/message-dispatcher.js";
import { startReminderSchedule } from "./services/policy/two-factor-reminders.js";
import { buildApp } from "./http/app.js";

/**
 * The server, started by server.ts once the Node version fits. Without TWOSTEP_ENV it is production.
 * --demo (the quick start) asks for development, loads the demo data first and prints the logins.
 */
async function main() {
  const demo = process.argv.includes("--demo");
  const config = parseConfig(process.env, { demo });
  const runtime = await createRuntime(config);
  if (demo) {
    const { created } = await loadDemoData(runtime.deps);
    process.stdout.write(`\nDemo data ${created ? "loaded" : "already present"}. Log in at ${config.publicUrl}/login with:\n`);
    for (const user of demoUsers) process.stdout.write(`  ${user.email.padEnd(24)} ${user.password.padEnd(22)} (${user.note})\n`);
    process.stdout.write("\n");
  }
  const app = await buildApp({ deps: runtime.deps, cookieSecret: runtime.cookieSecret });
  // Emails wait in the outbox table until this sends them, after the change that wrote them committed.
  const dispatcher = startMessageDispatcher(runtime.deps, config.email.pollSeconds * 1000);
  // A change that enqueued an email came through a state-changing request: look soon, not at the next poll.
  app.addHook("onResponse", async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") dispatcher.kick();
  });
  // P1: reminders 14, 3 and 1 days before a deadline, claimed through the database (several instances send once).
  const stopReminders = startReminderSchedule(runtime.deps, { intervalMs: 60 * 60 * 1000 });
  const close = async () => {
    stopReminders();
    await app.close();
    await dispatcher.stop();
    await runtime.close();
    process.exit(0);
  };
  process.on("SIGINT", close);
  process.on("SIGTERM", close);
  await app.listen({ host: config.host, port: config.port });
  process.stdout.write(`twostep is serving ${config.publicUrl} (Node.js ${process.version})\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`twostep failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
