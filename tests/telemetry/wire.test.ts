import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppInsightsTelemetry, type Telemetry } from '../../src/platform/telemetry/index.js';
import { CERTIFICATE, type Envelope, type Ingestion, startIngestion } from './ingestion.js';

let ingestion: Ingestion;
let telemetry: Telemetry;

beforeAll(async () => {
  ingestion = await startIngestion();
  telemetry = createAppInsightsTelemetry({
    connectionString: ingestion.connectionString,
    storageDirectory: mkdtempSync(join(tmpdir(), 'riskops-telemetry-')),
    disableStatsbeat: true,
    trustedCa: CERTIFICATE,
  });
});

afterAll(async () => {
  await telemetry.close();
  await ingestion.close();
});

const metricPoints = (envelopes: Envelope[]) =>
  envelopes
    .filter((e) => e.data.baseType === 'MetricData')
    .flatMap((e) =>
      (e.data.baseData.metrics ?? []).map((m) => ({ ...m, properties: e.data.baseData.properties ?? {} })),
    );

describe('Application Insights on the wire (real applicationinsights v3 SDK)', () => {
  it('posts the drift metrics with their dimensions and the DriftDetected event', async () => {
    telemetry.trackMetric('riskops.drift.psi', 0.31, {
      useCase: 'late_payment',
      feature: 'amount',
      modelVersion: 'v1',
    });
    telemetry.trackMetric('riskops.drift.psi', 0.02, {
      useCase: 'late_payment',
      feature: 'country',
      modelVersion: 'v1',
    });
    telemetry.trackMetric('riskops.drift.score_psi', 0.12, { useCase: 'late_payment', modelVersion: 'v1' });
    telemetry.trackMetric('riskops.score.latency', 4.5, { useCase: 'late_payment', status: '200' });
    telemetry.trackMetric('riskops.score.latency', 7.5, { useCase: 'late_payment', status: '200' });
    telemetry.trackEvent('DriftDetected', {
      useCase: 'late_payment',
      window: '2026-12-01',
      modelVersion: 'v1',
      features: 'amount',
      maxPsi: 0.31,
      report: 'drift-reports/late_payment/2026-12-01/report.html',
    });
    await telemetry.flush();

    const deadline = Date.now() + 10_000;
    while (
      metricPoints(ingestion.envelopes).length < 4 ||
      !ingestion.envelopes.some((e) => e.data.baseType === 'EventData')
    ) {
      if (Date.now() > deadline)
        throw new Error(`not all telemetry arrived: ${JSON.stringify(ingestion.envelopes)}`);
      await telemetry.flush();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ingestion.paths.every((p) => p.startsWith('POST /v2.1/track'))).toBe(true);
    expect(ingestion.envelopes.every((e) => e.iKey === ingestion.instrumentationKey)).toBe(true);

    const points = metricPoints(ingestion.envelopes);
    const psi = points.filter((p) => p.name === 'riskops.drift.psi');
    expect(psi.map((p) => [p.properties.feature, p.value]).sort()).toEqual([
      ['amount', 0.31],
      ['country', 0.02],
    ]);
    for (const p of psi) expect(p.properties).toMatchObject({ useCase: 'late_payment', modelVersion: 'v1' });
    const score = points.find((p) => p.name === 'riskops.drift.score_psi');
    expect(score?.value).toBeCloseTo(0.12, 12);
    // Two latencies with one dimension set are one pre-aggregated point: sum, count, min, max.
    const latency = points.find((p) => p.name === 'riskops.score.latency');
    expect(latency).toMatchObject({ value: 12, count: 2, min: 4.5, max: 7.5 });
    expect(latency?.properties).toMatchObject({ useCase: 'late_payment', status: '200' });

    const event = ingestion.envelopes.find((e) => e.data.baseType === 'EventData');
    expect(event?.data.baseData.name).toBe('DriftDetected');
    expect(event?.data.baseData.properties).toMatchObject({
      useCase: 'late_payment',
      window: '2026-12-01',
      features: 'amount',
      maxPsi: '0.31',
    });
  });

  it('refuses names and dimensions that are not in the list before anything is sent', () => {
    expect(() => telemetry.trackMetric('riskops.psi' as never, 1, {})).toThrow(
      /Unknown metric 'riskops.psi'/,
    );
    expect(() => telemetry.trackMetric('riskops.drift.psi', 0.1, { useCase: 'x', feature: 'f' })).toThrow(
      /missing modelVersion/,
    );
    expect(() =>
      telemetry.trackMetric('riskops.drift.score_psi', 0.1, {
        useCase: 'x',
        modelVersion: 'v',
        colour: 'red',
      }),
    ).toThrow(/undeclared colour/);
    expect(() =>
      telemetry.trackMetric('riskops.drift.score_psi', Number.NaN, { useCase: 'x', modelVersion: 'v' }),
    ).toThrow(/finite/);
    expect(() => telemetry.trackEvent('BatchRunFailed', { useCase: 'x' })).toThrow(/missing runId, reason/);
  });
});
