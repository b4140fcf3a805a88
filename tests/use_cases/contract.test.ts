import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AnyUseCase,
  bandOf,
  type LabeledRow,
  type SyntheticUseCase,
} from '../../src/platform/use-case/index.js';
import { getUseCase, USE_CASE_NAMES, USE_CASES } from '../../src/use_cases/index.js';
import { exampleRows } from '../support/use-case-rows.js';

const USE_CASES_DIR = fileURLToPath(new URL('../../src/use_cases/', import.meta.url));

/** Plausible positive rates of the shipped use cases; a new one must at least be between 0.5% and 50%. */
const EXPECTED_POSITIVE_RATE: Record<string, [number, number]> = {
  late_payment: [0.2, 0.32],
  invoice_fraud: [0.006, 0.016],
  customer_churn: [0.11, 0.19],
};

function shapeOf(useCase: AnyUseCase): Record<string, z.ZodType> {
  if (!(useCase.schema instanceof z.ZodObject)) throw new Error(`${useCase.name}: schema is not a z.object`);
  return useCase.schema.shape as Record<string, z.ZodType>;
}

function optionalFields(useCase: AnyUseCase): string[] {
  return Object.entries(shapeOf(useCase))
    .filter(([, field]) => field.safeParse(undefined).success)
    .map(([key]) => key);
}

function withoutLabel(useCase: AnyUseCase, row: LabeledRow): LabeledRow {
  const { [useCase.label.field]: _label, ...input } = row;
  return input;
}

function parseAll(useCase: AnyUseCase, rows: readonly LabeledRow[]): Record<string, unknown>[] {
  return rows.map((row, i) => {
    const result = useCase.schema.safeParse(row);
    if (!result.success) throw new Error(`${useCase.name} row ${i}: ${JSON.stringify(result.error.issues)}`);
    return result.data;
  });
}

function expectFiniteEncoding(useCase: AnyUseCase, records: readonly Record<string, unknown>[]): void {
  const state = useCase.features.fit(records);
  const matrix = useCase.features.matrix(records, state);
  expect(matrix.length).toBe(records.length * useCase.features.width);
  const bad = matrix.findIndex((x) => !Number.isFinite(x));
  expect(bad, `column ${useCase.features.names[bad % useCase.features.width]}`).toBe(-1);
}

function mean(values: readonly number[]): number {
  return values.reduce((s, x) => s + x, 0) / values.length;
}

function sd(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((s, x) => s + (x - m) ** 2, 0) / values.length);
}

describe('the use-case index', () => {
  it('has exactly one entry per folder under src/use_cases, named like the folder', () => {
    const folders = readdirSync(USE_CASES_DIR, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect([...USE_CASE_NAMES].sort()).toEqual(folders);
    expect(new Set(USE_CASE_NAMES).size).toBe(USE_CASE_NAMES.length);
  });

  it('looks use cases up by name', () => {
    for (const useCase of USE_CASES) expect(getUseCase(useCase.name)).toBe(useCase);
    expect(getUseCase('no_such_use_case')).toBeUndefined();
  });
});

const SYNTHETIC = USE_CASES.filter((u): u is SyntheticUseCase => u.generate !== undefined);

/** A labeled row's label as 0/1, by the use case's label definition (text values where it declares them). */
function labelOf(useCase: AnyUseCase, row: LabeledRow): number | undefined {
  const value = row[useCase.label.field];
  if (value === 0 || value === 1) return value;
  const text = useCase.label.values;
  if (text === undefined || typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  return v === text.positive.toLowerCase() ? 1 : v === text.negative.toLowerCase() ? 0 : undefined;
}

describe.each(USE_CASES.map((useCase) => [useCase.name, useCase] as const))('%s', (_name, useCase) => {
  const shape = shapeOf(useCase);
  const fields = Object.keys(shape);

  it('exports every part of the contract', () => {
    expect(useCase.name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(useCase.title.length).toBeGreaterThan(0);
    expect(useCase.description.length).toBeGreaterThan(0);
    expect(useCase.features.width).toBeGreaterThan(0);
    expect(useCase.bands.length).toBeGreaterThanOrEqual(2);
    expect(useCase.label.maturityDays).toBeGreaterThan(0);
    expect(useCase.drift.watch).toBeLessThan(useCase.drift.act);
    expect(useCase.drift.persistence.k).toBeLessThanOrEqual(useCase.drift.persistence.n);
    const { training } = useCase;
    // Training data comes from a generator (with a row count) or from a labeled data file.
    if (useCase.generate === undefined) expect(training.syntheticRows).toBeUndefined();
    else expect(training.syntheticRows).toBeGreaterThan(0);
    expect(training.validationFraction + training.holdoutFraction).toBeLessThan(0.6);
    expect(training.gate.minAuc).toBeGreaterThan(0.5);
    const text = useCase.label.values;
    if (text !== undefined) expect(text.positive.toLowerCase()).not.toBe(text.negative.toLowerCase());
  });

  it('names fields the schema has: entity id, PII, label maturity, segment and sensitive attributes', () => {
    expect(fields).toContain(useCase.entityIdField);
    for (const field of useCase.piiFields) expect(fields).toContain(field);
    expect(fields).toContain(useCase.label.maturityFrom);
    expect(fields).toContain(useCase.training.segmentAttribute);
    const sensitive = useCase.training.sensitiveAttribute;
    if (sensitive !== undefined) {
      expect(fields).toContain(sensitive);
      expect(useCase.features.inputs.map((input) => input.name)).not.toContain(sensitive);
    }
  });

  it('orders its bands, first favourable, the last covering a probability of 1', () => {
    const upTos = useCase.bands.map((band) => band.upTo);
    for (let i = 1; i < upTos.length; i++) expect(upTos[i]).toBeGreaterThan(upTos[i - 1] as number);
    expect(upTos[upTos.length - 1]).toBeGreaterThan(1);
    expect(bandOf(useCase.bands, 0)).toBe(useCase.bands[0]);
    expect(bandOf(useCase.bands, 1)).toBe(useCase.bands[useCase.bands.length - 1]);
    expect(new Set(useCase.bands.map((band) => band.name)).size).toBe(useCase.bands.length);
  });

  it('has a feature pipeline of unique names whose width matches', () => {
    expect(useCase.features.names.length).toBe(useCase.features.width);
    expect(new Set(useCase.features.names).size).toBe(useCase.features.width);
    expect(useCase.features.width).toBeLessThanOrEqual(400);
  });
});

const WITH_ROWS = await Promise.all(
  USE_CASES.map(async (useCase) => [useCase.name, useCase, await exampleRows(useCase, 3000, 11)] as const),
);

// A use case with neither a generator nor a committed training.dataFile has no rows to check here.
describe.each(WITH_ROWS.filter(([, , rows]) => rows !== undefined))(
  '%s: example rows',
  (_name, useCase, rows) => {
    const data = rows ?? [];
    const fields = Object.keys(shapeOf(useCase));

    it('keeps the label out of the input schema', () => {
      expect(fields).not.toContain(useCase.label.field);
      const parsed = useCase.schema.safeParse(data[0]);
      expect(parsed.success && useCase.label.field in parsed.data).toBe(false);
    });

    it('gives every parsed record an entity id: a required field, or one the schema fills in', () => {
      const records = parseAll(useCase, data.slice(0, 200));
      for (const record of records) expect(String(record[useCase.entityIdField] ?? '')).not.toBe('');
      const { [useCase.entityIdField]: _id, ...withoutId } = data[0] ?? {};
      const parsed = useCase.schema.safeParse(withoutId);
      if (parsed.success) expect(String(parsed.data[useCase.entityIdField] ?? '')).not.toBe('');
    });

    it('has rows that parse, carry a 0/1 label, and encode to finite values', () => {
      expect(data.length).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(data))).toEqual(data);
      for (const row of data) expect([0, 1]).toContain(labelOf(useCase, row));
      expectFiniteEncoding(useCase, parseAll(useCase, data));
    });
  },
);

describe.each(SYNTHETIC.map((useCase) => [useCase.name, useCase] as const))(
  '%s: synthetic generator',
  (_name, useCase) => {
    const shape = shapeOf(useCase);
    const fields = Object.keys(shape);

    it('is a function, and the entity id is a required field', () => {
      expect(typeof useCase.generate).toBe('function');
      expect(optionalFields(useCase)).not.toContain(useCase.entityIdField);
      expect(useCase.features.width).toBeGreaterThanOrEqual(15);
      expect(useCase.features.width).toBeLessThanOrEqual(40);
    });

    it('is deterministic: same seed and knobs, same bytes; another seed, other rows', () => {
      const options = { rows: 500, seed: 3, missingRate: 0.1, malformedRate: 0.1, conceptDrift: 0.5 };
      expect(JSON.stringify(useCase.generate(options))).toBe(JSON.stringify(useCase.generate(options)));
      expect(JSON.stringify(useCase.generate({ ...options, seed: 4 }))).not.toBe(
        JSON.stringify(useCase.generate(options)),
      );
    });

    it('makes malformed rows that fail the schema in varied ways, and leaves the others valid', () => {
      const clean = useCase.generate({ rows: 2000, seed: 5 });
      const dirty = useCase.generate({ rows: 2000, seed: 5, malformedRate: 0.2 });
      const codes = new Set<string>();
      let broken = 0;
      dirty.forEach((row, i) => {
        const result = useCase.schema.safeParse(row);
        if (JSON.stringify(row) === JSON.stringify(clean[i])) {
          expect(result.success).toBe(true);
          return;
        }
        broken++;
        expect(result.success, JSON.stringify(row)).toBe(false);
        for (const issue of result.error?.issues ?? []) {
          codes.add(issue.code);
          expect(issue.path.length).toBeGreaterThan(0);
        }
      });
      expect(broken / dirty.length).toBeGreaterThan(0.15);
      expect(broken / dirty.length).toBeLessThan(0.25);
      expect(codes.size).toBeGreaterThanOrEqual(3);
    });

    it('leaves optional fields out under missingRate, and such rows still parse and encode', () => {
      const optional = optionalFields(useCase);
      expect(optional.length).toBeGreaterThan(0);
      const sparse = useCase.generate({ rows: 2000, seed: 6, missingRate: 0.5 });
      const full = useCase.generate({ rows: 2000, seed: 6 });
      let present = 0;
      let dropped = 0;
      full.forEach((row, i) => {
        for (const field of optional) {
          if (!(field in row)) continue;
          present++;
          if (!(field in (sparse[i] ?? {}))) dropped++;
        }
      });
      expect(dropped / present).toBeGreaterThan(0.45);
      expect(dropped / present).toBeLessThan(0.55);
      expect(sparse.map((row) => row[useCase.entityIdField])).toEqual(
        full.map((row) => row[useCase.entityIdField]),
      );
      expectFiniteEncoding(useCase, parseAll(useCase, sparse));
    });

    it('has a plausible positive rate on 20k rows', () => {
      const labels = useCase
        .generate({ rows: 20_000, seed: 7 })
        .map((row) => Number(row[useCase.label.field]));
      const [lo, hi] = EXPECTED_POSITIVE_RATE[useCase.name] ?? [0.005, 0.5];
      expect(mean(labels)).toBeGreaterThan(lo);
      expect(mean(labels)).toBeLessThan(hi);
    });

    it('shifts each numeric field it accepts data drift on, and rejects unknown keys', () => {
      const direct = useCase.features.inputs.filter(
        (input) => input.kind === 'numeric' && input.name in shape,
      );
      const base = parseAll(useCase, useCase.generate({ rows: 2000, seed: 8 }));
      let drifted = 0;
      for (const input of direct) {
        let rowsDrifted: LabeledRow[];
        try {
          rowsDrifted = useCase.generate({ rows: 2000, seed: 8, dataDrift: { [input.name]: 1.5 } });
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
          continue;
        }
        drifted++;
        const index = useCase.features.inputs.indexOf(input);
        const valuesOf = (records: readonly Record<string, unknown>[]) =>
          records
            .map((r) => useCase.features.raw(r)[index])
            .filter((v): v is number => typeof v === 'number');
        const before = valuesOf(base);
        const after = valuesOf(parseAll(useCase, rowsDrifted));
        expect(mean(after) - mean(before), input.name).toBeGreaterThan(0.2 * sd(before));
      }
      expect(drifted).toBeGreaterThan(0);
      expect(() => useCase.generate({ rows: 10, seed: 1, dataDrift: { no_such_field: 1 } })).toThrow(
        RangeError,
      );
    });

    it('moves a categorical toward its last category under data drift', () => {
      const input = useCase.features.inputs.find((i) => i.kind === 'categorical' && i.name in shape);
      if (input === undefined || input.kind !== 'categorical') throw new Error('no direct categorical input');
      const last = input.categories[input.categories.length - 1];
      const share = (data: readonly LabeledRow[]) =>
        mean(data.map((row) => (row[input.name] === last ? 1 : 0)));
      const base = useCase.generate({ rows: 2000, seed: 9 });
      const drifted = useCase.generate({ rows: 2000, seed: 9, dataDrift: { [input.name]: 2 } });
      expect(share(drifted)).toBeGreaterThan(share(base) + 0.3);
    });

    it('changes labels, not inputs, under concept drift', () => {
      const before = useCase.generate({ rows: 5000, seed: 10 });
      const after = useCase.generate({ rows: 5000, seed: 10, conceptDrift: 1 });
      expect(after.map((row) => withoutLabel(useCase, row))).toEqual(
        before.map((row) => withoutLabel(useCase, row)),
      );
      const changed = after.filter((row, i) => row[useCase.label.field] !== before[i]?.[useCase.label.field]);
      expect(changed.length).toBeGreaterThan(25);
    });

    it('rejects bad generator options', () => {
      expect(() => useCase.generate({ rows: -1, seed: 1 })).toThrow(RangeError);
      expect(() => useCase.generate({ rows: 1, seed: 1, missingRate: 2 })).toThrow(RangeError);
      expect(() => useCase.generate({ rows: 1, seed: 1, startDate: '01/01/2026' })).toThrow(RangeError);
      expect(useCase.generate({ rows: 0, seed: 1 })).toEqual([]);
    });

    it('spreads its first date field from startDate over spanDays', () => {
      const data = useCase.generate({ rows: 400, seed: 1, startDate: '2025-06-01', spanDays: 10 });
      const isDate = (value: unknown) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value);
      const field = fields.find((key) => data.every((row) => isDate(row[key])));
      if (field === undefined) throw new Error('no date field');
      const dates = [...new Set(data.map((row) => String(row[field]).slice(0, 10)))].sort();
      expect(dates[0]).toBe('2025-06-01');
      expect(dates.every((date) => date <= '2025-06-12')).toBe(true);
      expect(dates.length).toBeGreaterThanOrEqual(8);
    });
  },
);
