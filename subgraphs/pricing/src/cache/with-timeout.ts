/** Raised when a cache call took longer than its budget. */
export class CacheTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`cache call took longer than ${timeoutMs} ms`);
    this.name = "CacheTimeoutError";
  }
}

/**
 * `promise`, or a CacheTimeoutError once `timeoutMs` have passed. The late outcome is dropped (the
 * race keeps a handler on it, so a late rejection is never unhandled) and the timer never outlives
 * the call.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CacheTimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
