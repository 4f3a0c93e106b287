/** Error names AWS uses for throttling: Athena/Glue, plus S3's `SlowDown`. */
const THROTTLING = new Set(["TooManyRequestsException", "ThrottlingException", "SlowDown"]);

export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING.has(error.name);
}

/** Glue's answer to a write that raced another one; safe to retry only after re-reading. */
export function isConcurrentModification(error: unknown): boolean {
  return error instanceof Error && error.name === "ConcurrentModificationException";
}

export interface RetryOptions {
  sleep: (ms: number) => Promise<void>;
  /** Random number in [0, 1), injected so tests can pin the jitter. */
  random?: () => number;
  maxAttempts?: number;
  baseMs?: number;
  capMs?: number;
  /** Told of each retry (with `--debug`, printed): what failed and how long until the next try. */
  log?: (line: string) => void;
}

/**
 * Call `fn`, retrying the errors `retryable` accepts with full-jitter exponential backoff
 * (`random() * min(cap, base * 2^attempt)`), at most `maxAttempts` calls in all. Any other error
 * is rethrown at once. `fn` must be safe to call again after a retryable failure: it re-reads
 * what it writes from (a Glue update under a stale VersionId) or removed its partial output.
 *
 * @example
 * await retryWhen(isConcurrentModification, () => setParameters(...), { sleep, log: console.error });
 */
export async function retryWhen<T>(
  retryable: (error: unknown) => boolean,
  fn: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { sleep, random = Math.random, maxAttempts = 8, baseMs = 200, capMs = 20_000 } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!retryable(error) || attempt + 1 >= maxAttempts) throw error;
      const ms = Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
      options.log?.(
        `retry ${attempt + 1}/${maxAttempts - 1} in ${ms} ms: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
      await sleep(ms);
    }
  }
}

/** {@link retryWhen} for throttling errors only: a failed call is never re-sent blindly. */
export function retryThrottled<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  return retryWhen(isThrottling, fn, options);
}
