import { performance } from 'node:perf_hooks';
import { loadSettings } from '../src/platform/config/index.js';
import { createStorageClients } from '../src/platform/storage/index.js';
import { USE_CASES } from '../src/use_cases/index.js';
import { startAppHost } from './app-host.js';

const SINGLE_REQUESTS = 400;
const CONCURRENT_REQUESTS = 1200;
const CONCURRENCY = 8;
const BATCH_SIZE = 100;
const BATCH_REQUESTS = 40;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

function summary(latencies: number[]): Record<string, number> {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    p50Ms: round(percentile(sorted, 0.5)),
    p95Ms: round(percentile(sorted, 0.95)),
    p99Ms: round(percentile(sorted, 0.99)),
  };
}

/**
 * HTTP scoring through the local host (same handler code as Azure) on Azurite, for every use case: latency
 * of single-record requests one at a time, throughput with 8 concurrent clients, and rows/s in batches of 100.
 * Client and server share this process and its 2 cores, so the numbers are a floor, not a ceiling.
 */
export async function benchScoring(connectionString: string): Promise<Record<string, unknown>> {
  const settings = loadSettings({
    env: { AzureWebJobsStorage: connectionString, RISKOPS_EMBEDDED_AZURITE: 'false' },
  });
  const storage = createStorageClients({ kind: 'connectionString', connectionString });
  const { services, host } = await startAppHost(settings, storage);
  const results: Record<string, unknown> = {};
  try {
    for (const useCase of USE_CASES) {
      // A use case built from a data file has no generator to draw benchmark records from.
      if (useCase.generate === undefined) continue;
      const records = useCase
        .generate({ rows: 2000, seed: 99 })
        .filter((row) => useCase.schema.safeParse(row).success)
        .map(({ [useCase.label.field]: _label, ...record }) => record);
      const url = `${host.url}/api/score/${useCase.name}`;
      const send = async (body: unknown): Promise<number> => {
        const t0 = performance.now();
        const response = await fetch(url, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`score returned ${response.status}`);
        return performance.now() - t0;
      };
      const coldStart = performance.now();
      await send(records[0]);
      const firstRequestMs = performance.now() - coldStart;

      const single: number[] = [];
      for (let i = 0; i < SINGLE_REQUESTS; i++) single.push(await send(records[i % records.length]));

      let next = 0;
      const concurrent: number[] = [];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < CONCURRENT_REQUESTS) {
            const i = next++;
            concurrent.push(await send(records[i % records.length]));
          }
        }),
      );
      const concurrentSeconds = (performance.now() - t0) / 1000;

      const t1 = performance.now();
      for (let i = 0; i < BATCH_REQUESTS; i++) {
        const start = (i * BATCH_SIZE) % (records.length - BATCH_SIZE);
        await send({ records: records.slice(start, start + BATCH_SIZE) });
      }
      const batchSeconds = (performance.now() - t1) / 1000;

      results[useCase.name] = {
        firstRequestMs: Math.round(firstRequestMs),
        sequential: { requests: SINGLE_REQUESTS, ...summary(single) },
        concurrent: {
          clients: CONCURRENCY,
          requests: CONCURRENT_REQUESTS,
          requestsPerSecond: Math.round(CONCURRENT_REQUESTS / concurrentSeconds),
          ...summary(concurrent),
        },
        batch: {
          size: BATCH_SIZE,
          requests: BATCH_REQUESTS,
          rowsPerSecond: Math.round((BATCH_SIZE * BATCH_REQUESTS) / batchSeconds),
        },
      };
    }
  } finally {
    await host.stop();
    await services.close();
  }
  return results;
}
