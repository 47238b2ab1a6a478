/** Thrown when work could not start within its bound; the work never ran. */
export class DatabaseBusyError extends Error {
  constructor(waitedMs: number) {
    super(
      `the embedded database was busy for ${waitedMs} ms (DATABASE_STATEMENT_TIMEOUT_MS); the query did not run, retrying later is safe`,
    );
    this.name = "DatabaseBusyError";
  }
}

/** Runs work one at a time, in call order; work that waits longer than `maxWaitMs` for its turn is dropped. */
export interface BoundedTurns {
  run<T>(work: () => Promise<T>): Promise<T>;
}

interface Waiter {
  start(): void;
}

/**
 * A FIFO lock whose waits are bounded. PGlite serialises every query and transaction behind one
 * lock of its own, without a bound or a way to cancel a queued call: taking turns here first lets a
 * call refused for waiting too long leave the queue before it reaches PGlite, so it never runs.
 */
export function createBoundedTurns(maxWaitMs: number): BoundedTurns {
  let busy = false;
  const queue: Waiter[] = [];

  const next = () => {
    const waiter = queue.shift();
    if (waiter) waiter.start();
    else busy = false;
  };

  return {
    run<T>(work: () => Promise<T>): Promise<T> {
      const runNow = () => work().finally(next);
      if (!busy) {
        busy = true;
        return runNow();
      }
      return new Promise<T>((resolve, reject) => {
        const waiter: Waiter = {
          start: () => {
            clearTimeout(timer);
            runNow().then(resolve, reject);
          },
        };
        const timer = setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          reject(new DatabaseBusyError(maxWaitMs));
        }, maxWaitMs);
        queue.push(waiter);
      });
    },
  };
}
