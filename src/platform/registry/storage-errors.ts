import { RiskopsError } from '../errors/index.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'REQUEST_SEND_ERROR',
]);

/** A failure of the storage service or the way to it (not a bug in this code). */
export function isStorageFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return (
    name === 'RestError' ||
    name === 'AbortError' ||
    name === 'TimeoutError' ||
    (typeof code === 'string' && NETWORK_CODES.has(code))
  );
}

/**
 * Wraps every method of `target` so that storage failures surface as `storage_unavailable` (503) naming the
 * operation, instead of an unexpected 500. RiskopsErrors and programming errors pass through unchanged.
 */
export function withStorageErrors<T extends object>(target: T, what: string): T {
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      wrapped[key] = value;
      continue;
    }
    const map = (error: unknown): never => {
      if (error instanceof RiskopsError || !isStorageFailure(error)) throw error;
      throw new RiskopsError(
        'storage_unavailable',
        `The ${what} storage could not be reached (${key}); try again shortly`,
        {
          cause: error,
        },
      );
    };
    // Synchronous methods stay synchronous; promises get their rejection mapped.
    wrapped[key] = (...args: unknown[]) => {
      const result = (value as (...a: unknown[]) => unknown)(...args);
      return result instanceof Promise ? result.catch(map) : result;
    };
  }
  return wrapped as T;
}
