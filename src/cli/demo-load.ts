import { demoUsers, loadDemoData } from "../services/demo.js";
import type { CommandIo } from "./command-io.js";
import { withRuntime } from "./runtime.js";

export async function demoLoadCommand(_args: string[], io: CommandIo): Promise<number> {
  const { created } = await withRuntime((runtime) => loadDemoData(runtime.deps));
  io.out(created ? "Demo data loaded. Logins:" : "Demo data was already loaded. Logins:");
  for (const user of demoUsers) io.out(`  ${user.email.padEnd(24)} ${user.password.padEnd(22)} (${user.note})`);
  return 0;
}
