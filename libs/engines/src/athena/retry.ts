/** Error names AWS uses for throttling: Athena/Glue, plus S3's `SlowDown`. */
const THROTTLING = new Set(["TooManyRequestsException", "ThrottlingException", "SlowDown"]);

export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING.has(error.name);
}

export interface RetryOptions {
  sleep: (ms: number) => Promise<void>;
  /** Random number in [0, 1), injected so tests can pin the jitter. */
  random?: () => number;
  maxAttempts?: number;
  baseMs?: number;
  capMs?: number;
}

/**
 * Call `fn`, retrying only throttling errors with full-jitter exponential backoff
 * (`random() * min(cap, base * 2^attempt)`). Any other error is rethrown at once: a failed
 * statement is never re-run blindly.
 */
export async function retryThrottled<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { sleep, random = Math.random, maxAttempts = 8, baseMs = 200, capMs = 20_000 } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isThrottling(error) || attempt + 1 >= maxAttempts) throw error;
      await sleep(Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt)));
    }
  }
}
