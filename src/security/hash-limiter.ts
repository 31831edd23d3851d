/**
 * At most `concurrency` argon2id computations in flight in this process; the rest wait in a
 * first-in first-out queue, each for at most `queueTimeoutMs`, then fail with
 * {@link HashQueueTimeoutError} (the login answers 503 "too many sign-ins at once", never an
 * out-of-memory). Each argon2id hash or verify holds `TWOSTEP_ARGON2_MEMORY_KIB` (19 MiB) while it
 * runs, so the memory argon2id adds to a server is at most `concurrency × 19 MiB` (README,
 * `TWOSTEP_PASSWORD_HASH_CONCURRENCY`). A waiting call holds nothing but its place in the queue.
 */
export interface HashLimiter {
  /** Runs `work` once a place is free; rejects with HashQueueTimeoutError if none was free in time (work not run). */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Computations running and waiting now (tests, diagnostics). */
  readonly running: number;
  readonly waiting: number;
}

/** No place came free within the queue timeout: nothing was hashed or verified. */
export class HashQueueTimeoutError extends Error {
  readonly code = "server_busy";
  /** What the answer's Retry-After says: the queue timeout, rounded up to a whole second. */
  readonly retryAfterSeconds: number;
  constructor(queueTimeoutMs: number) {
    super(`no password hashing place came free within ${queueTimeoutMs} ms (TWOSTEP_PASSWORD_HASH_CONCURRENCY, TWOSTEP_PASSWORD_HASH_QUEUE_TIMEOUT_MS)`);
    this.name = "HashQueueTimeoutError";
    this.retryAfterSeconds = Math.max(1, Math.ceil(queueTimeoutMs / 1000));
  }
}

interface Waiter {
  start(): void;
  timer: NodeJS.Timeout;
}

export function createHashLimiter(options: { concurrency: number; queueTimeoutMs: number }): HashLimiter {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError("concurrency must be a whole number of at least 1");
  let running = 0;
  // FIFO: a waiter leaves from the front when a place frees, or from wherever it is when its time is up.
  const queue: Waiter[] = [];

  const release = () => {
    running--;
    const next = queue.shift();
    if (next) {
      clearTimeout(next.timer);
      next.start();
    }
  };

  const runNow = <T>(work: () => Promise<T>): Promise<T> => {
    running++;
    let result: Promise<T>;
    try {
      result = work();
    } catch (error) {
      result = Promise.reject(error);
    }
    return result.finally(release);
  };

  return {
    run(work) {
      if (running < options.concurrency && queue.length === 0) return runNow(work);
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          start: () => runNow(work).then(resolve, reject),
          timer: setTimeout(() => {
            queue.splice(queue.indexOf(waiter), 1);
            reject(new HashQueueTimeoutError(options.queueTimeoutMs));
          }, options.queueTimeoutMs),
        };
        queue.push(waiter);
      });
    },
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
  };
}

/** No limit: each call runs at once (a hasher built without a limiter, e.g. by a one-off CLI run). */
export const unlimitedHashing: HashLimiter = {
  run: (work) => work(),
  running: 0,
  waiting: 0,
};
