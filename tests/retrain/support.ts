/** Shared by the retrain tests: a late_payment variant, small training, uploaded labeled data, a request. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { PSI_ALPHA, type RetrainRequest, retrainMessageId } from '../../src/platform/retrain/index.js';
import { writeLabeledFile } from '../../src/platform/training/index.js';
import type { AnyUseCase } from '../../src/platform/use-case/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';

/** late_payment with its own settings, except a gate sized for a 3000-row sample. */
export function variant(
  overrides: Partial<AnyUseCase> = {},
  gate: Partial<AnyUseCase['training']['gate']> = {},
): AnyUseCase {
  const base = latePayment as unknown as AnyUseCase;
  return {
    ...base,
    training: { ...base.training, gate: { ...base.training.gate, maxEce: 0.08, ...gate } },
    ...overrides,
  };
}

export const SMALL = { params: { gbdt: { nEstimators: 30, maxDepth: 4, earlyStoppingRounds: 0 } } };

export function request(windowDate = '2026-11-30'): RetrainRequest {
  return {
    requestId: retrainMessageId('late_payment', windowDate),
    useCase: 'late_payment',
    windowDate,
    requestedAt: '2026-12-01T06:00:00.000Z',
    reason: 'PSI ≥ 0.2 on prior_late_rate in 2 of the last 3 windows',
    receipt: {
      useCase: 'late_payment',
      windowDate,
      modelVersion: 'champion-version',
      referenceProfileHash: 'cd'.repeat(32),
      rows: 1200,
      referenceRows: 28_000,
      alpha: PSI_ALPHA,
      thresholds: { watch: 0.1, act: 0.2, minRows: 500 },
      persistence: { k: 2, n: 3, breachedWindows: 2 },
      cooldownHours: 72,
      breaches: ['prior_late_rate'],
      psi: { features: { prior_late_rate: { psi: 0.31 } }, score: { psi: 0.12 } },
      windows: [],
      codeVersion: 'riskops@0.1.0',
    },
  };
}

/** Uploads generated labeled rows (the new relationship: concept drift) as CSV and JSONL parts. */
export async function uploadData(container: ContainerClient): Promise<void> {
  await container.createIfNotExists();
  const rows = latePayment.generate({ rows: 3000, seed: 77, conceptDrift: 0.8, startDate: '2026-09-01' });
  const dir = await mkdtemp(join(tmpdir(), 'riskops-test-'));
  try {
    const csv = join(dir, 'a.csv');
    const jsonl = join(dir, 'b.jsonl');
    await writeLabeledFile(csv, latePayment as unknown as AnyUseCase, rows.slice(0, 1500));
    await writeLabeledFile(jsonl, latePayment as unknown as AnyUseCase, rows.slice(1500));
    await container.getBlockBlobClient('late_payment/2026-11-01.csv').uploadData(await readFile(csv));
    await container.getBlockBlobClient('late_payment/2026-11-15.jsonl').uploadData(await readFile(jsonl));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
