import { parseConfig } from "../config.js";
import { createRuntime, type Runtime } from "../bootstrap.js";

/** Opens the configured database (migrating it), runs `work`, and closes it. */
export async function withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await createRuntime(parseConfig());
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}
