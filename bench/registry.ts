/**
 * Registry benchmark: (a) time from `rollback` until the first request is served by the restored version,
 * with the provider at the configured alias refresh (RISKOPS_ALIAS_REFRESH_MS) and a steady request loop;
 * (b) cold load of a realistic model (300 trees, depth 5) from Blob Storage to its first score.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSettings } from '../src/platform/config/index.js';
import { type ExportableTree, exportGbdt } from '../src/platform/onnx/index.js';
import { createRegistry, createRegistryModelProvider, pushExternal } from '../src/platform/registry/index.js';
import { scoreValidated } from '../src/platform/scoring/index.js';
import { createStorageClients } from '../src/platform/storage/index.js';
import { requireGenerator } from '../src/platform/use-case/index.js';
import { USE_CASES } from '../src/use_cases/index.js';

const TRIALS = 5;
/** Interval between simulated requests while waiting for the rollback to show. */
const REQUEST_EVERY_MS = 5;
const TREES = 300;
const DEPTH = 5;

/** A full binary tree of the given depth over `cols` features, deterministic in `seed`. */
function tree(cols: number, seed: number): ExportableTree {
  const nodes = 2 ** (DEPTH + 1) - 1;
  const featureIds: number[] = [];
  const thresholds: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const values: number[] = [];
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = 0; i < nodes; i++) {
    const leaf = 2 * i + 1 >= nodes;
    featureIds.push(leaf ? 0 : Math.floor(next() * cols));
    thresholds.push(leaf ? 0 : next() * 3);
    left.push(leaf ? -1 : 2 * i + 1);
    right.push(leaf ? -1 : 2 * i + 2);
    values.push(leaf ? (next() - 0.5) * 0.1 : 0);
  }
  return { featureIds, thresholds, left, right, values };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export async function benchRegistry(connectionString: string): Promise<Record<string, unknown>> {
  const settings = loadSettings({ env: { AzureWebJobsStorage: connectionString } });
  const refreshMs = settings.RISKOPS_ALIAS_REFRESH_MS;
  const useCase = USE_CASES[0];
  if (useCase === undefined) throw new Error('no use cases');
  const storage = createStorageClients({ kind: 'connectionString', connectionString });
  const suffix = randomBytes(4).toString('hex');
  const registry = createRegistry({
    storage,
    container: `bench-models-${suffix}`,
    ledgerTable: `benchledger${suffix}`,
    useCases: USE_CASES,
    requireApproval: false,
  });
  const actor = { actor: 'bench', reason: 'benchmark' };
  const sample = requireGenerator(useCase)({ rows: 2000, seed: 11 });
  const width = useCase.features.width;
  const model = (seed: number) =>
    exportGbdt(
      {
        cols: width,
        baseScore: -1,
        trees: Array.from({ length: TREES }, (_, t) => tree(width, seed * 1000 + t + 1)),
      },
      useCase.features.names,
      { useCase: useCase.name },
    );
  const versions: string[] = [];
  for (const seed of [1, 2]) {
    const pushed = await pushExternal(registry, useCase, model(seed), {}, { ...actor, sample });
    versions.push(pushed.version);
  }
  const [old, current] = versions as [string, string];
  const record = useCase.schema.parse(sample.find((row) => useCase.schema.safeParse(row).success));
  const bytes = (await registry.load(useCase.name, old)).bytes.length;

  // (b) cold load: a fresh provider, blob download + checksum + session + contract check + first score.
  await registry.promote(useCase.name, old, actor);
  const coldLoads: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const provider = createRegistryModelProvider({ registry, refreshMs });
    const started = performance.now();
    await scoreValidated(useCase, await provider.get(useCase.name), [record]);
    coldLoads.push(performance.now() - started);
    await provider.close();
  }

  // (a) rollback to first request served by the restored version, both versions warm in the provider.
  const provider = createRegistryModelProvider({ registry, refreshMs });
  await provider.get(useCase.name);
  const serves = async (version: string): Promise<number> => {
    const started = performance.now();
    for (;;) {
      const served = await provider.get(useCase.name);
      await scoreValidated(useCase, served, [record]);
      if (served.version === version) return performance.now() - started;
      await sleep(REQUEST_EVERY_MS);
    }
  };
  const rollbacks: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    await registry.promote(useCase.name, current, actor);
    await serves(current);
    // Roll back at a random phase of the provider's refresh cycle.
    await sleep(Math.random() * refreshMs);
    const started = performance.now();
    await registry.rollback(useCase.name, actor);
    await serves(old);
    rollbacks.push(performance.now() - started);
  }
  await provider.close();
  await storage.container(`bench-models-${suffix}`).deleteIfExists();
  await storage.table(`benchledger${suffix}`).deleteTable();

  return {
    useCase: useCase.name,
    refreshMs,
    requestEveryMs: REQUEST_EVERY_MS,
    model: { kind: 'TreeEnsembleClassifier', trees: TREES, depth: DEPTH, features: width, bytes },
    rollbackToServedMs: {
      trials: rollbacks.map(round),
      median: round(median(rollbacks)),
      max: round(Math.max(...rollbacks)),
    },
    coldLoadToFirstScoreMs: { trials: coldLoads.map(round), median: round(median(coldLoads)) },
  };
}
