import { RiskopsError } from '../errors/index.js';

export interface GroupCommitOptions {
  /** Most items one flush takes (whole `add` calls are never split across flushes). */
  maxItems: number;
  /** Flushes that may run at once; arrivals during a busy period wait and are written together. */
  maxConcurrent: number;
  /** A flush that takes longer fails its callers (bounded wait). */
  timeoutMs: number;
  /**
   * When a shared flush fails (other than by timing out), flush each caller's items alone, so one caller's
   * unwritable items fail only that caller.
   */
  isolateFailures?: boolean;
}

interface Waiting<T> {
  items: readonly T[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: callers that arrive while a flush is running are written together by the next one, so under
 * load many requests share one storage round trip, while an idle caller is flushed on the next turn of the
 * event loop. `add` resolves only after the flush holding its items succeeded.
 */
export function createGroupCommit<T>(
  flush: (items: T[]) => Promise<void>,
  options: GroupCommitOptions,
): { add(items: readonly T[]): Promise<void>; idle(): Promise<void> } {
  const pending: Waiting<T>[] = [];
  let running = 0;
  let scheduled = false;
  const idleWaiters: (() => void)[] = [];

  const withTimeout = (work: Promise<void>): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new RiskopsError(
              'storage_unavailable',
              `The decision log did not confirm the write within ${options.timeoutMs} ms`,
            ),
          ),
        options.timeoutMs,
      );
      work.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });

  const pump = (): void => {
    scheduled = false;
    while (running < options.maxConcurrent && pending.length > 0) {
      const group: Waiting<T>[] = [];
      let count = 0;
      while (pending.length > 0) {
        const next = pending[0] as Waiting<T>;
        if (group.length > 0 && count + next.items.length > options.maxItems) break;
        group.push(next);
        count += next.items.length;
        pending.shift();
      }
      running++;
      const items = group.flatMap((w) => w.items);
      const alone = (w: Waiting<T>): Promise<void> =>
        withTimeout(Promise.resolve().then(() => flush([...w.items]))).then(w.resolve, w.reject);
      withTimeout(Promise.resolve().then(() => flush(items)))
        .then(
          () => {
            for (const w of group) w.resolve();
          },
          (error: unknown) => {
            const timedOut = error instanceof RiskopsError && error.message.includes('did not confirm');
            if (options.isolateFailures === true && group.length > 1 && !timedOut) {
              return Promise.all(group.map(alone)).then(() => undefined);
            }
            for (const w of group) w.reject(error);
            return undefined;
          },
        )
        .finally(() => {
          running--;
          if (pending.length > 0) pump();
          else if (running === 0) for (const done of idleWaiters.splice(0)) done();
        });
    }
  };

  return {
    add(items) {
      if (items.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        pending.push({ items, resolve, reject });
        if (!scheduled && running < options.maxConcurrent) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
    idle() {
      if (running === 0 && pending.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
