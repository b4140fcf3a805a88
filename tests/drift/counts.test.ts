import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addCounts,
  countAll,
  createBinCounter,
  createDriftRecorder,
  createTableCountStore,
  driftLayout,
  emptyCounts,
} from '../../src/platform/drift/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { encodeRecords, type LoadedModel } from '../../src/platform/scoring/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { testStorage, uniqueName } from '../support/storage.js';
import { driftServices, scoredDay } from './support.js';

let services: Services;
let model: LoadedModel;
let day: { records: Record<string, unknown>[]; probabilities: number[] };

beforeAll(async () => {
  services = await driftServices();
  model = await services.models.get(latePayment.name);
  day = await scoredDay(services, latePayment, { rows: 3000, seed: 77, missingRate: 0.1 });
});
afterAll(() => services.close());

describe('drift counts', () => {
  it('count every feature input, the score, missing values and unseen categories in the frozen bins', () => {
    const layout = driftLayout(model.manifest.reference);
    const records = day.records.slice(0, 2).map((r) => ({ ...r }));
    (records[0] as Record<string, unknown>).prior_late_rate = undefined;
    (records[1] as Record<string, unknown>).industry = 'space_mining';
    const counts = countAll(latePayment, model, records, [0.5, 0.01]);
    expect(counts.rows).toBe(2);
    const names = layout.profiles.map((p) => p.name);
    expect(names).toEqual([...latePayment.features.inputs.map((i) => i.name), 'score']);
    const industry = layout.profiles[names.indexOf('industry')];
    if (industry?.kind !== 'categorical') throw new Error('industry is categorical');
    const start = layout.offsets[names.indexOf('industry')] as number;
    expect(counts.counts[start + industry.categories.length]).toBe(1); // OTHER: the unseen category
    const rate = names.indexOf('prior_late_rate');
    const rateProfile = layout.profiles[rate];
    if (rateProfile?.kind !== 'numeric') throw new Error('numeric');
    expect(counts.counts[(layout.offsets[rate] as number) + rateProfile.edges.length + 1]).toBe(1); // MISSING
    // Every quantity counts each row exactly once.
    for (let i = 0; i < layout.profiles.length; i++) {
      const end = layout.offsets[i + 1] ?? layout.length;
      const total = counts.counts.slice(layout.offsets[i], end).reduce((a, b) => a + b, 0);
      expect(total, names[i]).toBe(2);
    }
  });

  it("count column by column exactly as binning each row's raw inputs does (missing, NaN, unseen, wrong types)", () => {
    const layout = driftLayout(model.manifest.reference);
    const records = day.records.slice(0, 400).map((r, i) => {
      const copy: Record<string, unknown> = { ...r };
      if (i % 7 === 0) copy.amount = Number.NaN;
      if (i % 11 === 0) copy.industry = i % 2 === 0 ? null : 'space_mining';
      if (i % 13 === 0) copy.credit_limit_utilisation = Number.POSITIVE_INFINITY;
      if (i % 17 === 0) copy.country = undefined;
      if (i % 19 === 0) copy.disputed = null;
      return copy;
    });
    const probabilities = records.map((_, i) => (i % 23 === 0 ? Number.NaN : (i % 100) / 100));
    const expected = emptyCounts(layout);
    records.forEach((record, r) => {
      const raw = latePayment.features.raw(record as never);
      raw.forEach((value, j) => {
        const profile = layout.profiles[j];
        const offset = layout.offsets[j] as number;
        let bin: number;
        if (profile?.kind === 'numeric')
          bin =
            typeof value === 'number' && Number.isFinite(value)
              ? offset + profile.edges.filter((e) => value > e).length
              : offset + profile.edges.length + 1;
        else if (profile?.kind === 'categorical') {
          const index = profile.categories.indexOf(String(value));
          bin =
            value === null
              ? offset + profile.categories.length + 1
              : index >= 0
                ? offset + index
                : offset + profile.categories.length;
        } else throw new Error('profile');
        expected.counts[bin] = (expected.counts[bin] as number) + 1;
      });
      const score = layout.profiles[layout.profiles.length - 1];
      if (score?.kind !== 'numeric') throw new Error('score profile');
      const p = probabilities[r] as number;
      const offset = layout.offsets[layout.profiles.length - 1] as number;
      const bin = Number.isFinite(p)
        ? offset + score.edges.filter((e) => p > e).length
        : offset + score.edges.length + 1;
      expected.counts[bin] = (expected.counts[bin] as number) + 1;
      expected.rows++;
    });
    expect(countAll(latePayment, model, records, probabilities)).toEqual(expected);
    // From the raw values kept while encoding (what batch chunks hand drift), the same counts.
    const columns = latePayment.features.inputs.map(() => new Array<unknown>(records.length));
    encodeRecords(latePayment, model, records, columns);
    const kept = emptyCounts(layout);
    createBinCounter(layout, latePayment.features as never)(records, probabilities, kept, columns);
    expect(kept).toEqual(expected);
    expect(() =>
      createBinCounter(layout, latePayment.features as never)(records, probabilities, kept, [[1]]),
    ).toThrow(/input values/);
  });

  it('merged partials of concurrent writers equal the counts of the union', async () => {
    const store = createTableCountStore(testStorage().table(uniqueName('concurrent')));
    const at = new Date('2026-12-01T10:15:00Z');
    const writers = Array.from({ length: 4 }, (_, i) =>
      createDriftRecorder({
        useCases: [latePayment],
        store,
        flushMs: 5,
        writerId: `instance-${i}`,
        clock: () => at,
      }),
    );
    // Four HTTP instances record interleaved slices while flushing every 5 ms; two batch chunks are stored
    // concurrently, one of them retried with the same writer key (it must replace, not add).
    const slices = Array.from({ length: 30 }, (_, k) => k * 100);
    await Promise.all([
      ...slices.slice(0, 28).map(async (start, k) => {
        await new Promise((r) => setTimeout(r, (k * 7) % 23));
        writers[k % writers.length]?.record({
          useCase: latePayment.name,
          model,
          records: day.records.slice(start, start + 100),
          probabilities: day.probabilities.slice(start, start + 100),
        });
      }),
      ...writers.map((w) => w.flush()),
      ...[2800, 2900].map((start) =>
        writers[0]?.observe({
          useCase: latePayment,
          model,
          records: day.records.slice(start, start + 100),
          probabilities: day.probabilities.slice(start, start + 100),
          writer: `run1-${start}`,
        }),
      ),
    ]);
    await writers[1]?.observe({
      useCase: latePayment,
      model,
      records: day.records.slice(2900, 3000),
      probabilities: day.probabilities.slice(2900, 3000),
      writer: 'run1-2900',
    });
    await Promise.all(writers.map((w) => w.close()));

    const partials = await store.list(latePayment.name, '2026-12-01');
    expect(partials.map((p) => p.writer).sort()).toEqual([
      'batch-run1-2800',
      'batch-run1-2900',
      'instance-0',
      'instance-1',
      'instance-2',
      'instance-3',
    ]);
    expect(new Set(partials.filter((p) => p.source === 'http').map((p) => p.slot))).toEqual(new Set(['h10']));
    const layout = driftLayout(model.manifest.reference);
    const merged = partials.reduce((acc, p) => addCounts(acc, p), emptyCounts(layout));
    const union = countAll(latePayment, model, day.records, day.probabilities);
    expect(merged.rows).toBe(3000);
    expect(merged.counts).toEqual(union.counts);
  });

  it("stores a batch's counts under its run's date (a backfilled day lands in its own window)", async () => {
    const store = createTableCountStore(testStorage().table(uniqueName('backfill')));
    const recorder = createDriftRecorder({
      useCases: [latePayment],
      store,
      flushMs: 60_000,
      clock: () => new Date('2026-12-01T10:15:00Z'),
    });
    const slice = { records: day.records.slice(0, 200), probabilities: day.probabilities.slice(0, 200) };
    await recorder.observe({ useCase: latePayment, model, ...slice, date: '2026-11-20', writer: 'old-run' });
    await recorder.observe({ useCase: latePayment, model, ...slice, writer: 'today-run' });
    await recorder.close();
    const backfilled = await store.list(latePayment.name, '2026-11-20');
    expect(backfilled.map((p) => [p.writer, p.rows])).toEqual([['batch-old-run', 200]]);
    const today = await store.list(latePayment.name, '2026-12-01');
    expect(today.map((p) => p.writer)).toEqual(['batch-today-run']);
  });

  it('refuses to merge counts of different binnings, and records and scores of different lengths', () => {
    const layout = driftLayout(model.manifest.reference);
    const other = { ...emptyCounts(layout), referenceHash: 'f'.repeat(64) };
    expect(() => addCounts(emptyCounts(layout), other)).toThrow(/Cannot merge drift counts/);
    expect(() => countAll(latePayment, model, day.records.slice(0, 3), [0.1])).toThrow(
      /3 records but 1 probabilities/,
    );
  });
});
