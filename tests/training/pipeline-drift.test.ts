import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { type Manifest, ManifestSchema } from '../../src/platform/model/index.js';
import { sourceRows, trainUseCase, validateTrainingData } from '../../src/platform/training/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';

const ROWS = 8_000;

async function shippedManifest(): Promise<Manifest> {
  return ManifestSchema.parse(
    JSON.parse(await readFile(new URL('../../models/late_payment/manifest.json', import.meta.url), 'utf8')),
  );
}

describe('distribution check against the previous training set', () => {
  it('stays quiet on fresh data from the same distribution', async () => {
    const previous = await shippedManifest();
    const rows = latePayment.generate({ rows: ROWS, seed: 77 });
    const data = await validateTrainingData(latePayment, sourceRows(rows), {
      source: 'fresh',
      previous: { features: previous.reference.features, rows: previous.reference.rows, name: 'shipped' },
    });
    const features = data.report.distribution?.features ?? [];
    expect(features.map((f) => f.name)).toEqual(latePayment.features.inputs.map((i) => i.name));
    expect(features.filter((f) => f.band !== 'stable')).toEqual([]);
    expect(data.report.warnings).toBe(0);
  });

  it('flags drifted features in the report and the manifest without failing training', async () => {
    const previous = await shippedManifest();
    const rows = latePayment.generate({
      rows: ROWS,
      seed: 78,
      dataDrift: { amount: 1.5, credit_limit_utilisation: 1, channel: 2 },
    });
    const result = await trainUseCase(latePayment, {
      rows: sourceRows(rows),
      algorithm: 'logistic',
      previous,
    });
    const report = result.validationReport;
    expect(report.passed).toBe(true);
    const band = Object.fromEntries((report.distribution?.features ?? []).map((f) => [f.name, f.band]));
    expect(band).toMatchObject({
      amount: 'act',
      credit_limit_utilisation: 'act',
      channel: 'act',
      payment_terms_days: 'stable',
      country: 'stable',
    });
    const amount = report.distribution?.features.find((f) => f.name === 'amount');
    expect(amount?.psi).toBeGreaterThan(0.2);
    expect(amount?.psi).toBeGreaterThan(amount?.criticalValue ?? Number.POSITIVE_INFINITY);
    expect(report.issues).toContainEqual(
      expect.objectContaining({ severity: 'warning', check: 'distribution', field: 'amount' }),
    );
    expect(report.distribution?.reference).toBe(`late_payment ${previous.training.dataHash.slice(0, 12)}`);
    expect(result.manifest.validation).toMatchObject({ passed: true, errors: 0, warnings: report.warnings });
    expect(report.warnings).toBeGreaterThanOrEqual(3);
  });
});
