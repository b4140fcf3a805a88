import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/platform/model/index.js';
import { trainUseCase, writeLabeledFile } from '../../src/platform/training/index.js';
import { type AnyUseCase, requireGenerator } from '../../src/platform/use-case/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { rowHash, withRowHash } from '../../src/use_cases/schema-kit.js';
import { telecomChurnCsv } from '../support/telecom-csv.js';
import { REPO, run } from './project-copy.js';

const dir = mkdtempSync(join(tmpdir(), 'riskops-nogen-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** late_payment as a use case built from a data file would be: no generator, label as text. */
function withoutGenerator(extra: Partial<AnyUseCase['training']> = {}): AnyUseCase {
  const { generate: _generate, ...rest } = latePayment;
  const { syntheticRows: _rows, ...training } = latePayment.training;
  return {
    ...rest,
    label: { ...latePayment.label, values: { positive: 'late', negative: 'on time' } },
    training: { ...training, algorithm: 'logistic', ...extra },
  } as AnyUseCase;
}

describe('a use case without a generator', () => {
  it('says what to pass instead wherever the platform would generate', async () => {
    const useCase = withoutGenerator();
    await expect(trainUseCase(useCase)).rejects.toThrow(
      'late_payment has no synthetic data generator and no training.dataFile: pass its labeled data (riskops train late_payment --data file.csv)',
    );
    expect(() => requireGenerator(useCase)).toThrow(
      /late_payment has no synthetic data generator .*use --data/,
    );
  });

  it('trains from its committed data file, reading the label as text, byte-identically', async () => {
    const rows = latePayment.generate({ rows: 2000, seed: 4 }).map((row) => ({
      ...row,
      paid_late_30d: row.paid_late_30d === 1 ? 'Late' : ' on time ',
    }));
    const path = join(dir, 'labeled.csv');
    await writeLabeledFile(path, latePayment, rows);
    const useCase = withoutGenerator({ dataFile: relative(process.cwd(), path) });
    const [a, b] = [await trainUseCase(useCase), await trainUseCase(useCase)];
    expect(a.manifest.training.source).toBe('labeled.csv');
    expect(a.validationReport.rows).toMatchObject({ input: 2000, rejected: 0 });
    expect(a.validationReport.label.positives).toBe(rows.filter((r) => r.paid_late_30d === 'Late').length);
    expect(sha256Hex(a.onnx)).toBe(sha256Hex(b.onnx));
    await expect(trainUseCase(useCase, { syntheticRows: 100 })).rejects.toThrow(/cannot be generated/);
  });
});

describe('row-hash entity ids', () => {
  it('are the same for the same record however its keys are ordered, and kept when the caller sends one', async () => {
    const { z } = await import('zod');
    const schema = withRowHash(
      z.object({ row_hash: z.string().optional(), a: z.number(), b: z.string() }),
      'row_hash',
    );
    const one = schema.parse({ a: 1, b: 'x', extra: true });
    expect(one.row_hash).toBe(rowHash({ a: 1, b: 'x' }));
    expect(schema.parse({ b: 'x', a: 1 }).row_hash).toBe(one.row_hash);
    expect(schema.parse({ a: 2, b: 'x' }).row_hash).not.toBe(one.row_hash);
    expect(schema.parse({ a: 1, b: 'x', row_hash: 'given' }).row_hash).toBe('given');
  });
});

describe('the walkthrough example file', () => {
  it('is the deterministic telecom extract the README uses', () => {
    const committed = readFileSync(join(REPO, 'examples', 'telecom-churn.csv'), 'utf8');
    expect(committed).toBe(telecomChurnCsv({ rows: 4000, seed: 7 }));
  });
});

describe('export-features', () => {
  it('reads labeled rows from --data instead of generating them', async () => {
    const csv = join(dir, 'lp.csv');
    await writeLabeledFile(csv, latePayment, latePayment.generate({ rows: 50, seed: 2 }));
    const out = join(dir, 'features.csv');
    const result = await run(
      [
        join(REPO, 'dist', 'src', 'cli', 'main.js'),
        'export-features',
        'late_payment',
        '--data',
        csv,
        '--out',
        out,
      ],
      REPO,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/wrote 50 rows x \d+ features of late_payment \(lp\.csv\)/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(51);
    expect(lines.slice(1).every((line) => /,[01]$/.test(line))).toBe(true);
  });
});
