import type { CommandIo } from "./command-io.js";
import { withRuntime } from "./runtime.js";
import { sendTwoFactorReminders } from "../services/policy/two-factor-reminders.js";

/** reminders:send — run the 2FA reminder job once, by hand (the server also runs it on a timer). */
export async function remindersSendCommand(args: string[], io: CommandIo): Promise<number> {
  if (args.length > 0) {
    io.out("reminders:send takes no options");
    return 2;
  }
  return withRuntime(async ({ deps }) => {
    const { recorded } = await sendTwoFactorReminders(deps);
    io.out(`Two-factor reminders recorded: ${recorded}`);
    return 0;
  });
}
