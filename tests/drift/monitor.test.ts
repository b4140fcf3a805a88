import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftMonitor } from '../../functions/drift-monitor.js';
import {
  createDriftMonitor,
  createDriftRecorder,
  createTableCountStore,
  type DriftReport,
} from '../../src/platform/drift/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { readTelemetryTail, telemetryDirectory } from '../../src/platform/telemetry/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { driftServices, scoredDay } from './support.js';

let services: Services;
const hooked: DriftReport[] = [];

beforeAll(async () => {
  services = await driftServices();
  services.onDriftReport = (report) => {
    hooked.push(report);
  };
});
afterAll(() => services.close());

async function observeDay(
  services: Services,
  date: string,
  options: Parameters<typeof latePayment.generate>[0],
) {
  const day = await scoredDay(services, latePayment, options);
  const model = await services.models.get(latePayment.name);
  // As the nightly batch does: chunks of 1000 rows, one partial per chunk.
  for (let start = 0; start < day.records.length; start += 1000) {
    await services.drift.observe({
      useCase: latePayment.name,
      model,
      records: day.records.slice(start, start + 1000),
      probabilities: day.probabilities.slice(start, start + 1000),
      writer: `${date}-${start}`,
    });
  }
}

describe('the drift run', () => {
  it('flags exactly the feature whose drift was injected, and writes the report and telemetry', async () => {
    await observeDay(services, 'd1', { rows: 4000, seed: 911, dataDrift: { amount: 1 } });
    const [window] = await services.driftMonitor.run({ useCases: [latePayment.name], catchUp: false });
    const report = window?.reports[0];
    expect(window?.status).toBe('written');
    expect(report?.rows).toBe(4000);
    expect(report?.sources).toEqual({ http: 0, batch: 4000 });
    expect(report?.partials).toBe(4);
    expect(report?.features.filter((f) => f.flagged).map((f) => f.name)).toEqual(['amount']);
    expect(report?.breached).toBe(true);
    const amount = report?.features.find((f) => f.name === 'amount');
    expect(amount?.psi).toBeGreaterThan(0.2);
    expect(amount?.psi).toBeGreaterThan(amount?.critical ?? Number.POSITIVE_INFINITY);
    expect(amount?.band).toBe('act');
    expect(hooked.map((r) => r.date)).toEqual([report?.date]);

    const stored = await services.driftMonitor.run({ useCases: [latePayment.name], catchUp: false });
    expect(stored[0]?.paths).toEqual([
      `${services.settings.RISKOPS_DRIFT_REPORTS_CONTAINER}/late_payment/${report?.date}/report.json`,
      `${services.settings.RISKOPS_DRIFT_REPORTS_CONTAINER}/late_payment/${report?.date}/report.html`,
    ]);
    const lines = readTelemetryTail(telemetryDirectory(services.settings), 500);
    const psi = lines.filter((l) => l.type === 'metric' && l.name === 'riskops.drift.psi');
    expect(psi.length).toBe(2 * latePayment.features.inputs.length);
    expect(psi.find((l) => l.type === 'metric' && l.dimensions.feature === 'amount')).toMatchObject({
      value: amount?.psi,
      dimensions: { useCase: 'late_payment', modelVersion: report?.modelVersion, window: report?.date },
    });
    expect(lines.filter((l) => l.name === 'riskops.drift.score_psi')).toHaveLength(2);
    const events = lines.filter((l) => l.type === 'event' && l.name === 'DriftDetected');
    expect(events[0]).toMatchObject({
      properties: { useCase: 'late_payment', features: expect.stringContaining('amount') },
    });
    expect(lines.some((l) => l.name === 'riskops.score.band_count')).toBe(true);
  });

  it('flags nothing on a day without drift, run as the timer function', async () => {
    const other = await driftServices();
    try {
      await observeDay(other, 'd2', { rows: 4000, seed: 4242 });
      const logs: string[] = [];
      if (driftMonitor.kind !== 'timer') throw new Error('driftMonitor is a timer');
      const context = new InvocationContext({
        functionName: 'driftMonitor',
        logHandler: (_level, ...args) => logs.push(args.join(' ')),
      });
      await driftMonitor.create(other)(
        {
          isPastDue: false,
          schedule: { adjustForDST: true },
          scheduleStatus: { last: '', next: '', lastUpdated: '' },
        },
        context,
      );
      const today = new Date().toISOString().slice(0, 10);
      expect(logs.find((l) => l.includes(`late_payment ${today}`))).toMatch(
        /4000 rows, model .* no drift flagged/,
      );
      expect(logs.filter((l) => l.includes('nothing scored')).length).toBeGreaterThan(0);
      const dates = await other.driftMonitor.run({ useCases: ['late_payment'], date: today, catchUp: false });
      const report = dates[0]?.reports[0];
      expect(report?.flagged).toEqual([]);
      expect(report?.breached).toBe(false);
      for (const f of report?.features ?? []) expect(f.band, f.name).toBe('stable');
    } finally {
      await other.close();
    }
  });

  it('says which input is bad', async () => {
    await expect(services.driftMonitor.run({ date: '2026-13-45' })).rejects.toThrow(/date must be a UTC day/);
    await expect(services.driftMonitor.run({ useCases: ['credit_limit'] })).rejects.toThrow(
      /Unknown use case 'credit_limit'/,
    );
  });
});

describe('catching up the day before', () => {
  it('re-evaluates yesterday only when counts arrived after its report', async () => {
    const svc = await driftServices();
    try {
      const model = await svc.models.get(latePayment.name);
      const day = await scoredDay(svc, latePayment, { rows: 600, seed: 5 });
      let now = new Date('2026-11-30T23:00:00Z');
      const recorder = createDriftRecorder({
        useCases: [latePayment],
        store: createTableCountStore(svc.storage.table(svc.settings.RISKOPS_DRIFT_COUNTS_TABLE)),
        flushMs: 60_000,
        clock: () => now,
      });
      const monitor = createDriftMonitor({
        useCases: [latePayment],
        counts: createTableCountStore(svc.storage.table(svc.settings.RISKOPS_DRIFT_COUNTS_TABLE)),
        reports: svc.driftMonitor.reports,
        manifest: async (useCase, version) => (await svc.registry.show(useCase, version)).manifest,
        clock: () => now,
      });
      const half = (from: number) => ({
        useCase: latePayment.name,
        model,
        records: day.records.slice(from, from + 300),
        probabilities: day.probabilities.slice(from, from + 300),
      });
      recorder.record(half(0));
      await recorder.flush();
      const first = await monitor.run({ useCases: [latePayment.name] });
      expect(first.map((w) => [w.date, w.status, w.reports[0]?.rows])).toEqual([
        ['2026-11-29', 'no_data', undefined],
        ['2026-11-30', 'written', 300],
      ]);
      // Late traffic of the 30th, then the next morning's run: the 30th is re-evaluated with all 600 rows.
      now = new Date('2026-11-30T23:59:00Z');
      recorder.record(half(300));
      await recorder.flush();
      now = new Date('2026-12-01T05:30:00Z');
      const second = await monitor.run({ useCases: [latePayment.name] });
      expect(second.map((w) => [w.date, w.status, w.reports[0]?.rows])).toEqual([
        ['2026-11-30', 'written', 600],
        ['2026-12-01', 'no_data', undefined],
      ]);
      const third = await monitor.run({ useCases: [latePayment.name] });
      expect(third[0]?.status).toBe('unchanged');
      await recorder.close();
    } finally {
      await svc.close();
    }
  });
});
