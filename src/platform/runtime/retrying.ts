import { isRiskopsError, RiskopsError } from '../errors/index.js';

export interface RetryingOptions {
  /** First back-off after a failure. Default 250 ms. */
  baseMs?: number;
  /** Back-off cap (settings.RISKOPS_RETRY_MAX_MS). Default 10 s. */
  maxMs?: number;
  now?: () => number;
}

/** A storage outage (SDK error, timeout) rather than a bug or a bad setting. */
function isStorageFailure(error: unknown): boolean {
  if (isRiskopsError(error)) return error.code === 'storage_unavailable';
  const name = error instanceof Error ? error.name : '';
  return name === 'RestError' || name === 'AbortError';
}

/**
 * A value created on first use and then shared (the app's services, per worker), that never caches a
 * failure: a rejected attempt is forgotten, and the next call after a back-off (doubling from `baseMs` up to
 * `maxMs`) tries again. Concurrent callers share one attempt; a call inside the back-off fails at once with
 * the last error, so a storage outage at cold start cannot pile up attempts, nor break the worker for good.
 * Storage failures surface as `storage_unavailable` (503) naming when the next attempt may run.
 */
export function createRetrying<T>(create: () => Promise<T>, options: RetryingOptions = {}): () => Promise<T> {
  const baseMs = options.baseMs ?? 250;
  const maxMs = options.maxMs ?? 10_000;
  const now = options.now ?? Date.now;
  let value: Promise<T> | undefined;
  let attempt: Promise<T> | undefined;
  let failures = 0;
  let retryAt = Number.NEGATIVE_INFINITY;
  let lastError: unknown;

  return () => {
    if (value !== undefined) return value;
    if (attempt !== undefined) return attempt;
    if (now() < retryAt) return Promise.reject(lastError);
    const current = create().then(
      (created) => {
        value = current;
        attempt = undefined;
        failures = 0;
        return created;
      },
      (error: unknown) => {
        failures++;
        retryAt = now() + Math.min(baseMs * 2 ** (failures - 1), maxMs);
        attempt = undefined;
        lastError = isStorageFailure(error)
          ? new RiskopsError(
              'storage_unavailable',
              `Starting the app failed because storage is unreachable (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); the next attempt runs after ${new Date(retryAt).toISOString()}`,
              { cause: error },
            )
          : error;
        throw lastError;
      },
    );
    attempt = current;
    return current;
  };
}
