import type { Logger } from "./deps.js";

/**
 * Runs `task` now and then every `intervalMs` in this process, never two runs at once; a failing run is logged under
 * `name` and the next one tries again. The timer does not keep the process alive. Returns the function that stops it.
 */
export function startPeriodicTask(logger: Logger, name: string, intervalMs: number, task: () => Promise<unknown>): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await task();
    } catch (error) {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, `${name} failed`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
