import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../src/platform/audit/index.js';
import { isRiskopsError } from '../../src/platform/errors/index.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('group commit', () => {
  it('writes callers that arrive during a flush together, and resolves each only after its flush', async () => {
    const flushes: number[][] = [];
    const commit = createGroupCommit<number>(
      async (items) => {
        flushes.push(items);
        await tick(20);
      },
      { maxItems: 1000, maxConcurrent: 1, timeoutMs: 1000 },
    );
    const first = commit.add([0]);
    await tick(5);
    const done: number[] = [];
    const rest = Array.from({ length: 30 }, (_, i) => commit.add([i + 1]).then(() => done.push(i + 1)));
    await first;
    expect(done).toEqual([]);
    await Promise.all(rest);
    expect(flushes).toEqual([[0], Array.from({ length: 30 }, (_, i) => i + 1)]);
  });

  it('never puts more than maxItems in one flush, and keeps one caller whole', async () => {
    const sizes: number[] = [];
    const commit = createGroupCommit<number>(
      async (items) => {
        sizes.push(items.length);
      },
      { maxItems: 10, maxConcurrent: 1, timeoutMs: 1000 },
    );
    await Promise.all([
      commit.add(Array(4).fill(1)),
      commit.add(Array(4).fill(2)),
      commit.add(Array(4).fill(3)),
      commit.add(Array(25).fill(4)),
    ]);
    expect(sizes).toEqual([8, 4, 25]);
  });

  it('fails every caller of a failed flush, and later callers still get through', async () => {
    let fail = true;
    const commit = createGroupCommit<number>(
      async () => {
        if (fail) throw new Error('table down');
      },
      { maxItems: 100, maxConcurrent: 1, timeoutMs: 1000 },
    );
    const results = await Promise.allSettled([commit.add([1]), commit.add([2])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(commit.add([3])).resolves.toBeUndefined();
  });

  it('bounds the wait: a flush that hangs fails its callers with storage_unavailable', async () => {
    const commit = createGroupCommit<number>(() => new Promise(() => undefined), {
      maxItems: 100,
      maxConcurrent: 1,
      timeoutMs: 50,
    });
    const started = Date.now();
    const error = await commit.add([1]).catch((e: unknown) => e);
    expect(isRiskopsError(error, 'storage_unavailable')).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('group commit failure isolation', () => {
  it('retries callers alone when a shared flush fails, so only the caller with bad items fails', async () => {
    let flushes = 0;
    const commit = createGroupCommit<number>(
      async (items) => {
        flushes++;
        if (items.includes(-1)) throw new Error('bad row');
      },
      { maxItems: 100, maxConcurrent: 1, timeoutMs: 1000, isolateFailures: true },
    );
    const results = await Promise.allSettled([commit.add([1]), commit.add([-1]), commit.add([2, 3])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(flushes).toBe(4);
  });
});
