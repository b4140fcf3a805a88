import { performance } from 'node:perf_hooks';
import { trainUseCase } from '../src/platform/training/index.js';
import { getUseCase } from '../src/use_cases/index.js';

const ROWS = 100_000;

/**
 * The boosted late_payment model end-to-end on 100k generated rows: generate, validate, split, fit
 * features, train (the use case's settings, early stopping on), evaluate, reference profile, ONNX and
 * manifest. Peak RSS must stay well under the 2 GB of a Flex Consumption instance.
 */
export async function benchTrainingPipeline(): Promise<Record<string, unknown>> {
  const useCase = getUseCase('late_payment');
  if (useCase === undefined) throw new Error('late_payment is not a use case');
  const start = performance.now();
  const result = await trainUseCase(useCase, { syntheticRows: ROWS, algorithm: 'gbdt' });
  const seconds = (performance.now() - start) / 1000;
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    useCase: useCase.name,
    rows: ROWS,
    seconds: round(seconds),
    rowsPerSecond: Math.round(ROWS / seconds),
    stages: Object.fromEntries(Object.entries(result.stats.seconds).map(([k, v]) => [k, round(v)])),
    trees: result.manifest.explainer?.kind === 'tree' ? result.manifest.explainer.covers.length : 0,
    holdoutAuc: round(result.manifest.metrics.auc),
    // Sampled between stages (training is synchronous, so a timer cannot sample inside it) …
    peakRssMb: result.stats.peakRssMb,
    // … and the kernel's high-water mark for the whole process (includes anything run before in it).
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
