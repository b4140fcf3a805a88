import { z } from 'zod';
import { createFeaturePipeline } from '../../../src/platform/features/index.js';
import type { Manifest } from '../../../src/platform/model/index.js';
import { sha256Hex } from '../../../src/platform/model/index.js';
import { createRegistry, type RegistryOptions } from '../../../src/platform/registry/index.js';
import type { AnyUseCase, LabeledRow, SyntheticUseCase } from '../../../src/platform/use-case/index.js';
import { testStorage, uniqueName } from '../../support/storage.js';
import { linearModel } from './onnx-models.js';

const RecordSchema = z.object({
  id: z.string(),
  amount: z.number().nonnegative().nullable().optional(),
  days: z.number(),
  channel: z.string().nullable().optional(),
  repeat: z.boolean().nullable().optional(),
});
type Rec = z.infer<typeof RecordSchema>;

const pipeline = createFeaturePipeline<Rec>([
  {
    kind: 'numeric',
    name: 'amount',
    description: 'invoice amount',
    get: (r) => r.amount,
    transform: 'log1p',
    missingIndicator: true,
  },
  { kind: 'numeric', name: 'days', description: 'days to due', get: (r) => r.days },
  {
    kind: 'categorical',
    name: 'channel',
    description: 'channel',
    get: (r) => r.channel,
    categories: ['web', 'store'],
  },
  { kind: 'boolean', name: 'repeat', description: 'repeat customer', get: (r) => r.repeat },
]);

/** A small deterministic generator (LCG), enough for samples with both outcomes. */
function generate(options: { rows: number; seed: number }): LabeledRow[] {
  let state = options.seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: options.rows }, (_, i) => {
    const days = Math.floor(next() * 60);
    const amount = next() < 0.1 ? null : Math.round(next() * 5000);
    return {
      id: `r${i}`,
      amount,
      days,
      channel: next() < 0.5 ? 'web' : next() < 0.8 ? 'store' : 'phone',
      repeat: next() < 0.6,
      late: next() < 0.2 + days / 150 ? 1 : 0,
    };
  });
}

/** A complete little use case (7 features) owned by the registry tests. */
export const testUseCase: SyntheticUseCase = {
  name: 'test_payments',
  title: 'Test payments',
  description: 'A use case that exists only in the registry tests',
  schema: RecordSchema as unknown as AnyUseCase['schema'],
  entityIdField: 'id',
  piiFields: [],
  features: pipeline as unknown as AnyUseCase['features'],
  bands: [
    { name: 'low', upTo: 0.3, action: 'none' },
    { name: 'high', upTo: 1.0000001, action: 'call' },
  ],
  label: { field: 'late', description: 'paid late', maturityDays: 30, maturityFrom: 'days' },
  drift: { watch: 0.1, act: 0.2, persistence: { k: 2, n: 3 }, cooldownHours: 24, minRows: 100 },
  training: {
    algorithm: 'logistic',
    seed: 1,
    syntheticRows: 1000,
    validationFraction: 0.2,
    holdoutFraction: 0.2,
    gbdt: {
      nEstimators: 10,
      learningRate: 0.1,
      maxDepth: 3,
      maxLeaves: 8,
      minChildWeight: 1,
      l2: 1,
      rowSubsample: 1,
      colSubsample: 1,
      maxBins: 16,
      earlyStoppingRounds: 5,
    },
    logistic: { l2: 0.01, maxIterations: 50, tolerance: 1e-6 },
    gate: { minAuc: 0.5, maxBrier: 0.3, maxEce: 0.1, maxAucDropVsChampion: 0.05 },
    segmentAttribute: 'channel',
    gateOnFairness: false,
  },
  generate,
};

export const WIDTH = testUseCase.features.width;

/** Coefficients of distinct test models: each `k` gives different bytes and different scores. */
export function coefficients(k: number): number[] {
  return Array.from({ length: WIDTH }, (_, j) => ((j + 1) * (k + 1)) / 100);
}

/** A valid manifest for `bytes` as the training command would write it (no `version`). */
export function manifestFor(bytes: Uint8Array, overrides: Partial<Manifest> = {}): Manifest {
  return {
    schemaVersion: 1,
    useCase: testUseCase.name,
    algorithm: 'logistic_regression',
    params: {},
    seed: 1,
    codeVersion: 'test',
    onnx: {
      sha256: sha256Hex(bytes),
      bytes: bytes.length,
      input: 'input',
      output: 'probabilities',
      inputWidth: WIDTH,
    },
    features: {
      names: [...testUseCase.features.names],
      hash: testUseCase.features.hash,
      inputs: testUseCase.features.info(),
      state: { medians: { amount: 6, days: 20 }, booleanRates: { repeat: 0.5 } },
    },
    training: {
      source: 'synthetic',
      dataHash: 'x',
      rows: 10,
      trainRows: 6,
      validationRows: 2,
      holdoutRows: 2,
      positiveRate: 0.2,
      rejectedRows: 0,
    },
    metrics: { rows: 2, positives: 1, auc: 0.8, brier: 0.1, ece: 0.01, logLoss: 0.3, ks: 0.5, bands: [] },
    bands: testUseCase.bands.map((b) => ({ ...b })),
    gate: { passed: true, checks: [] },
    segments: [],
    reference: {
      rows: 0,
      features: [],
      score: { kind: 'numeric', name: 'score', edges: [], counts: [0], missing: 0 },
    },
    ...overrides,
  };
}

/** Model bytes and a matching manifest for test model `k`. */
export function testModel(
  k: number,
  layout: 'plain' | 'zipmap' = 'plain',
): { bytes: Uint8Array; manifest: Manifest } {
  const bytes = linearModel({ coefficients: coefficients(k), intercept: -1, layout });
  const manifest = manifestFor(bytes);
  if (layout === 'zipmap') manifest.onnx.output = 'output_probability';
  return { bytes, manifest };
}

/** A registry on the shared Azurite, in its own container and ledger table. */
export function testRegistry(options: Partial<RegistryOptions> = {}) {
  const storage = testStorage();
  const container = uniqueName('models');
  const ledgerTable = uniqueName('ledger');
  const registry = createRegistry({
    storage,
    container,
    ledgerTable,
    useCases: [testUseCase],
    requireApproval: false,
    ...options,
  });
  return { registry, storage, container, ledgerTable };
}

export const alice = { actor: 'alice@example.com', reason: 'test' };
export const bob = { actor: 'bob@example.com', reason: 'test' };
export const carol = { actor: 'carol@example.com', reason: 'test' };
