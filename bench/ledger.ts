/**
 * Ledger benchmark: (a) what the consistency protocol costs a move — a promote (ledger intent, ETag-guarded
 * alias write, commit) against the bare conditional alias-blob write it used to be, in the same run; (b) one
 * hash-chained append; (c) a full chain verification at several ledger sizes (what health and
 * `verify-ledger` pay).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { exportLogistic } from '../src/platform/onnx/index.js';
import { createRegistry, pushExternal } from '../src/platform/registry/index.js';
import { createStorageClients } from '../src/platform/storage/index.js';
import { USE_CASES } from '../src/use_cases/index.js';

const MOVES = 30;
const SIZES = [250, 1000, 2000];

function stats(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
  return { n: values.length, p50: at(0.5), p90: at(0.9), max: at(1) };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export async function benchLedger(connectionString: string): Promise<Record<string, unknown>> {
  const useCase = USE_CASES[0];
  if (useCase === undefined) throw new Error('no use cases');
  const storage = createStorageClients({ kind: 'connectionString', connectionString });
  const suffix = randomBytes(4).toString('hex');
  const container = `bench-ledger-${suffix}`;
  const registry = createRegistry({
    storage,
    container,
    ledgerTable: `benchchain${suffix}`,
    useCases: USE_CASES,
    requireApproval: false,
  });
  const actor = { actor: 'bench', reason: 'benchmark' };
  const width = useCase.features.width;
  const versions: string[] = [];
  for (let k = 0; k < 2; k++) {
    const coefficients = Array.from({ length: width }, (_, j) => ((j + k) % 7) / 10);
    const bytes = exportLogistic({ cols: width, coefficients, intercept: -1 }, useCase.features.names, {
      useCase: useCase.name,
    });
    versions.push((await pushExternal(registry, useCase, bytes, {}, actor)).version);
  }

  // (a) a move now, and the bare conditional blob write it replaced (same container, same run).
  const promote: number[] = [];
  for (let i = 0; i < MOVES; i++) {
    const version = versions[i % 2] ?? '';
    promote.push(await timed(() => registry.promote(useCase.name, version, actor)));
  }
  const raw = storage.container(container).getBlockBlobClient('bench/raw-alias.json');
  let etag: string | undefined;
  const bare: number[] = [];
  for (let i = 0; i < MOVES; i++) {
    const body = JSON.stringify({ version: versions[i % 2], at: i });
    bare.push(
      await timed(async () => {
        const response = await raw.upload(body, body.length, {
          conditions: etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag },
        });
        etag = response.etag;
      }),
    );
  }

  // (b) one chained append (an approval: one head read and one entity-group transaction).
  const append: number[] = [];
  const version = versions[0] ?? '';
  for (let i = 0; i < MOVES; i++) {
    append.push(
      await timed(() => registry.approve(useCase.name, version, { actor: `reviewer${i}`, reason: 'ok' })),
    );
  }

  // (c) verification time by ledger size.
  const verify: Record<string, unknown>[] = [];
  let entries = (await registry.verifyLedger(useCase.name)).entries;
  for (const size of SIZES) {
    while (entries < size) {
      const batch = Math.min(25, size - entries);
      await Promise.all(
        Array.from({ length: batch }, (_, i) =>
          registry.approve(useCase.name, version, { actor: `filler${entries + i}`, reason: 'fill' }),
        ),
      );
      entries += batch;
    }
    const runs = [];
    for (let r = 0; r < 3; r++) runs.push(await timed(() => registry.verifyLedger(useCase.name)));
    const result = await registry.verifyLedger(useCase.name);
    verify.push({ entries: result.entries, ok: result.ok, ms: stats(runs) });
  }
  return {
    useCase: useCase.name,
    promoteMs: stats(promote),
    bareAliasWriteMs: stats(bare),
    chainedAppendMs: stats(append),
    verify,
  };
}
