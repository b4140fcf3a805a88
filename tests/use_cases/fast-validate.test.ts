import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRng, type Rng } from '../../src/platform/random/index.js';
import { fastValidator } from '../../src/platform/scoring/fast-validate.js';
import { validateRecords } from '../../src/platform/scoring/index.js';
import { requireGenerator } from '../../src/platform/use-case/index.js';
import { dayNumber } from '../../src/use_cases/generator-kit.js';
import { USE_CASES as shippedUseCases } from '../../src/use_cases/index.js';
import { rowHash, withRowHash } from '../../src/use_cases/schema-kit.js';

const ASTRAL = '\u{1F600}';

/** Values a hostile or sloppy producer sends, around every bound the shipped schemas have. */
const HOSTILE: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'x',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(200),
  'x'.repeat(201),
  ASTRAL.repeat(64),
  ASTRAL.repeat(65),
  ASTRAL.repeat(33),
  `${'x'.repeat(63)}${ASTRAL}`,
  0,
  -0,
  -1,
  1,
  0.5,
  1.5,
  1.5000001,
  1.2,
  10,
  10.5,
  20,
  21,
  24,
  25,
  100,
  365,
  366,
  1000,
  1200,
  1201,
  3650,
  3651,
  10_000,
  36_500,
  36_501,
  1e7,
  1e9,
  1e9 + 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  true,
  false,
  'true',
  '1',
  '12',
  'EUR',
  'eur',
  'USD',
  'CHF',
  'DE',
  'de',
  'XX',
  'retail',
  'email',
  'monthly',
  'basic',
  'emea',
  '55+',
  'it_services',
  '2026-01-01',
  '2026-02-29',
  '2024-02-29',
  '2026-02-30',
  '2026-13-01',
  '2026-1-01',
  '0999-01-01',
  '2026-01-01T10:00:00+02:00',
  '2026-01-01T10:00:00Z',
  '2026-01-01T10:00:00',
  '2026-01-01 10:00:00+02:00',
  'ap1@customer1.example',
  'a@b.c',
  'a b@c.example',
  'no-at-sign.example',
  [],
  ['x'],
  {},
  { toString: () => 'x' },
  Symbol.for('s'),
  10n,
];

function mutate(row: Record<string, unknown>, rng: Rng, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row };
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits; e++) {
    const key = rng.pick(keys);
    const roll = rng.next();
    if (roll < 0.1) delete out[key];
    else if (roll < 0.15) out[`extra_${rng.int(3)}`] = rng.pick(HOSTILE);
    else if (roll < 0.3) out[key] = row[rng.pick(keys)];
    else out[key] = rng.pick(HOSTILE);
  }
  return out;
}

/** Same keys in the same order, same values (undefined-valued keys included). */
function expectSameValue(fast: Record<string, unknown>, zod: Record<string, unknown>): void {
  expect(Object.keys(fast)).toEqual(Object.keys(zod));
  expect(fast).toStrictEqual(zod);
}

describe('fast validation path', () => {
  for (const useCase of shippedUseCases) {
    it(`${useCase.name}: accepts exactly what zod accepts, with zod's value, over valid, boundary and hostile rows`, () => {
      const fast = fastValidator(useCase.schema);
      expect(fast, 'the shipped schema compiles').toBeDefined();
      const accept = fast as NonNullable<typeof fast>;
      const keys = Object.keys((useCase.schema as unknown as { shape: object }).shape);
      const rng = createRng(20261202);
      const base = requireGenerator(useCase)({ rows: 400, seed: 7, missingRate: 0.2, malformedRate: 0.2 });
      let acceptedByFast = 0;
      let acceptedByZod = 0;
      const inputs: unknown[] = [];
      for (const generated of base) {
        const row = { ...generated };
        delete row[useCase.label.field];
        inputs.push(row);
        for (let m = 0; m < 25; m++) inputs.push(mutate(row, rng, keys));
      }
      inputs.push(null, undefined, 'row', 42, [], [base[0]], Object.create(null));
      for (const input of inputs) {
        const zod = useCase.schema.safeParse(input);
        const value = accept(input);
        if (zod.success) acceptedByZod++;
        if (value === undefined) continue;
        acceptedByFast++;
        expect(zod.success, 'zod refuses a row the fast path accepted').toBe(true);
        expectSameValue(value, zod.data as Record<string, unknown>);
      }
      // Every row zod accepts is taken by the fast path (it only falls back on rows zod may refuse).
      expect(acceptedByFast).toBe(acceptedByZod);
      expect(acceptedByZod).toBeGreaterThan(500);
      expect(inputs.length - acceptedByZod).toBeGreaterThan(3000);

      // validateRecords (fast path, zod fallback) gives what zod alone gives, reasons included.
      const outcome = validateRecords(useCase, inputs);
      const valid: { index: number; record: unknown }[] = [];
      const invalid: { index: number; messages: string[] }[] = [];
      inputs.forEach((input, index) => {
        const r = useCase.schema.safeParse(input);
        if (r.success) valid.push({ index, record: r.data });
        else
          invalid.push({ index, messages: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      });
      expect(outcome.valid).toStrictEqual(valid);
      expect(
        outcome.invalid.map((i) => ({
          index: i.index,
          messages: i.issues.map((x) => `${x.path === '(root)' ? '' : x.path}: ${x.message}`),
        })),
      ).toStrictEqual(invalid);
    });
  }

  it('does not compile what it cannot mirror, and runs refinements and overwrites as zod does', () => {
    expect(fastValidator(z.object({ a: z.string().transform((s) => s.length) }))).toBeUndefined();
    expect(fastValidator(z.object({ a: z.number().default(1) }))).toBeUndefined();
    expect(fastValidator(z.object({ a: z.coerce.number() }))).toBeUndefined();
    expect(fastValidator(z.object({ a: z.string() }).catchall(z.string()))).toBeUndefined();
    expect(fastValidator(z.array(z.string()))).toBeUndefined();
    const hashed = withRowHash(z.object({ id: z.string().optional(), n: z.number().int() }), 'id');
    const accept = fastValidator(hashed);
    expect(accept).toBeDefined();
    expect(accept?.({ n: 3 })).toStrictEqual(hashed.parse({ n: 3 }));
    expect(accept?.({ n: 3 })?.id).toBe(rowHash({ n: 3 }, 'id'));
    expect(accept?.({ n: 3.5 })).toBeUndefined();
    const refined = z.object({ a: z.number() }).refine((r) => r.a > 0, { message: 'positive' });
    expect(fastValidator(refined)?.({ a: 1 })).toStrictEqual({ a: 1 });
    expect(fastValidator(refined)?.({ a: -1 })).toBeUndefined();
  });

  it('counts days as Date.parse does, for real and impossible dates', () => {
    const reference = (iso: string) => Math.floor(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / 86_400_000);
    for (let year = 1000; year <= 9999; year += year > 1895 && year < 2105 ? 1 : 37) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          if (!Object.is(dayNumber(iso), reference(iso))) expect(dayNumber(iso), iso).toBe(reference(iso));
        }
      }
    }
    for (const iso of ['2026-01-01T23:59:59+05:00', '0999-12-31', '+002026-01-01', 'x', '2026-1-1'])
      expect(dayNumber(iso)).toBe(reference(iso));
  });
});
