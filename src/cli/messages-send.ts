import { parseArgs } from "node:util";
import { dispatchDueMessages } from "../services/messages/message-dispatcher.js";
import type { CommandIo } from "./command-io.js";
import { withRuntime } from "./runtime.js";

/**
 * messages:send — one dispatcher pass by hand: sends every email (and back-channel logout) due now
 * (what a running server does every TWOSTEP_EMAIL_POLL_SECONDS). Safe beside
 * running servers: rows are claimed, so none is sent twice. Exit 1 if any was
 * given up on.
 */
export async function messagesSendCommand(args: string[], io: CommandIo): Promise<number> {
  try {
    parseArgs({ args, options: {}, strict: true });
  } catch (error) {
    io.out(`messages:send: ${(error as Error).message}`);
    return 2;
  }
  return withRuntime(async ({ deps }) => {
    const report = await dispatchDueMessages(deps);
    io.out(`sent ${report.sent}, to retry ${report.retried}, given up ${report.failed}`);
    return report.failed > 0 ? 1 : 0;
  });
}
