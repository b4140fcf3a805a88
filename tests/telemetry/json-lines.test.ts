import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createTelemetry,
  formatTelemetryItem,
  readTelemetryTail,
  telemetryDirectory,
  telemetryFile,
} from '../../src/platform/telemetry/index.js';

describe('telemetry without a connection string', () => {
  it('writes the same items as JSON lines under the data dir, and tail reads them back', async () => {
    const settings = {
      RISKOPS_DATA_DIR: mkdtempSync(join(tmpdir(), 'riskops-jsonl-')),
      RISKOPS_ENVIRONMENT: 'test' as const,
    };
    const telemetry = createTelemetry(settings);
    expect(telemetry.destination).toBe(telemetryDirectory(settings));
    telemetry.trackMetric('riskops.drift.psi', 0.25, {
      useCase: 'late_payment',
      feature: 'amount',
      modelVersion: 'v1',
    });
    telemetry.trackEvent('BatchRunFailed', {
      useCase: 'late_payment',
      runId: 'r1',
      reason: 'chunk 3 poisoned',
    });
    await telemetry.flush();
    const day = new Date().toISOString().slice(0, 10);
    const lines = readFileSync(telemetryFile(telemetryDirectory(settings), day), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { type: 'metric', name: 'riskops.drift.psi', value: 0.25, dimensions: { feature: 'amount' } },
      { type: 'event', name: 'BatchRunFailed', properties: { runId: 'r1', reason: 'chunk 3 poisoned' } },
    ]);
    const tail = readTelemetryTail(telemetryDirectory(settings), 1);
    expect(tail).toHaveLength(1);
    expect(formatTelemetryItem(tail[0] as never)).toMatch(
      /event {2}BatchRunFailed {2}useCase=late_payment runId=r1/,
    );
    expect(readTelemetryTail(join(settings.RISKOPS_DATA_DIR, 'nowhere'), 5)).toEqual([]);
  });

  it('refuses a connection string without an instrumentation key at creation', () => {
    expect(() =>
      createTelemetry({
        APPLICATIONINSIGHTS_CONNECTION_STRING: 'IngestionEndpoint=https://example.invalid/',
        RISKOPS_DATA_DIR: tmpdir(),
        RISKOPS_ENVIRONMENT: 'test',
      }),
    ).toThrow(/InstrumentationKey/);
  });
});
