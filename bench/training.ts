import { performance } from 'node:perf_hooks';
import {
  splitIndices,
  syntheticDataset,
  takeRows,
  trainGbdt,
  trainLogistic,
} from '../src/platform/training/index.js';
import type { GbdtParams, LogisticParams } from '../src/platform/use-case/index.js';

const ROWS = 100_000;
const COLS = 30;
const SEED = 7;

/** The shipped use cases' GBDT settings (early stopping off so every round is timed). */
export const BENCH_GBDT: GbdtParams = {
  nEstimators: 300,
  learningRate: 0.1,
  maxDepth: 5,
  maxLeaves: 31,
  minChildWeight: 5,
  l2: 1,
  rowSubsample: 0.8,
  colSubsample: 0.8,
  maxBins: 64,
  earlyStoppingRounds: 0,
};
export const BENCH_LOGISTIC: LogisticParams = { l2: 0.01, maxIterations: 100, tolerance: 1e-6 };

/** RSS sampled between phases (training is synchronous, so a timer would never fire during it). */
function rssSampler(): { sample(): void; peak(): number } {
  let peak = process.memoryUsage().rss;
  return {
    sample() {
      peak = Math.max(peak, process.memoryUsage().rss);
    },
    peak: () => peak,
  };
}

/** Trains both algorithms on 100k × 30 synthetic rows; reports throughput, time and peak RSS. */
export async function benchTraining(): Promise<Record<string, unknown>> {
  const rss = rssSampler();
  const data = syntheticDataset({ rows: ROWS, cols: COLS, seed: SEED, shape: 'nonlinear' });
  const split = splitIndices(ROWS, { validation: 0.1, holdout: 0 }, SEED);
  const validation = takeRows(data.X, data.y, COLS, split.validation);
  rss.sample();

  const t0 = performance.now();
  const logistic = trainLogistic(data.X, data.y, ROWS, COLS, BENCH_LOGISTIC);
  const logisticSeconds = (performance.now() - t0) / 1000;
  rss.sample();

  const t1 = performance.now();
  const gbdt = trainGbdt(data.X, data.y, ROWS, COLS, BENCH_GBDT, SEED, validation);
  const gbdtSeconds = (performance.now() - t1) / 1000;
  rss.sample();

  const t2 = performance.now();
  gbdt.predict(data.X, ROWS);
  const predictSeconds = (performance.now() - t2) / 1000;
  rss.sample();

  return {
    rows: ROWS,
    cols: COLS,
    logistic: {
      seconds: round(logisticSeconds),
      rowsPerSecond: Math.round(ROWS / logisticSeconds),
      iterations: logistic.iterations,
      converged: logistic.converged,
    },
    gbdt: {
      seconds: round(gbdtSeconds),
      rowsPerSecond: Math.round(ROWS / gbdtSeconds),
      trees: gbdt.trees.length,
      treesPerSecond: Math.round(gbdt.rounds / gbdtSeconds),
      params: BENCH_GBDT,
      predictRowsPerSecond: Math.round(ROWS / predictSeconds),
    },
    peakRssMb: Math.round(rss.peak() / 2 ** 20),
    // The kernel's high-water mark for the whole process (includes anything run before in it).
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
