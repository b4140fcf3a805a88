import { describe, expect, it } from 'vitest';
import { isRiskopsError } from '../../src/platform/errors/index.js';
import { createRetrying } from '../../src/platform/runtime/retrying.js';

/** An error shaped like the storage SDK's (a RestError with a network code). */
function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10000'), {
    name: 'RestError',
    code: 'ECONNREFUSED',
  });
}

describe('createRetrying (the services getter of functions/index.ts)', () => {
  it('never caches a failure: retries after a doubling back-off, then keeps the value', async () => {
    let clock = 0;
    let attempts = 0;
    let storageUp = false;
    const get = createRetrying(
      async () => {
        attempts++;
        if (!storageUp) throw refused();
        return { created: attempts };
      },
      { baseMs: 100, maxMs: 250, now: () => clock },
    );

    const first = await get().catch((e: unknown) => e);
    expect(isRiskopsError(first, 'storage_unavailable')).toBe(true);
    expect((first as Error).message).toContain('ECONNREFUSED');
    // Inside the back-off: the same error at once, storage is not asked again.
    expect(await get().catch((e: unknown) => e)).toBe(first);
    expect(attempts).toBe(1);
    clock = 100;
    await get().catch(() => undefined);
    expect(attempts).toBe(2);
    clock = 250; // the second back-off is 200 ms, from the failure at 100
    await get().catch(() => undefined);
    expect(attempts).toBe(2);
    clock = 300;
    await get().catch(() => undefined);
    expect(attempts).toBe(3);
    storageUp = true;
    clock = 500; // the third back-off is capped at 250 ms: not before 550
    await get().catch(() => undefined);
    expect(attempts).toBe(3);

    clock = 550;
    const value = await get();
    expect(value).toEqual({ created: 4 });
    expect(await get()).toBe(value);
    expect(attempts).toBe(4);
  });

  it('shares one attempt between concurrent callers, and passes other errors through unchanged', async () => {
    let attempts = 0;
    const bug = new TypeError('a bug, not an outage');
    const get = createRetrying(async () => {
      attempts++;
      await new Promise((r) => setTimeout(r, 20));
      throw bug;
    });
    const results = await Promise.all([get(), get(), get()].map((p) => p.catch((e: unknown) => e)));
    expect(attempts).toBe(1);
    for (const result of results) expect(result).toBe(bug);
  });
});
