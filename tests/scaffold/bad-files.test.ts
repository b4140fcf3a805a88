import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRiskopsError } from '../../src/platform/errors/index.js';
import { limits, niceCeil, scaffoldUseCase, snakeCase } from '../../src/platform/scaffold/index.js';
import { telecomChurnCsv } from '../support/telecom-csv.js';
import { REPO } from './project-copy.js';

/** A bare project root (only src/use_cases/index.ts) per test, so scaffolds never touch the repository. */
const base = mkdtempSync(join(tmpdir(), 'riskops-scaffold-bad-'));
let n = 0;

function project(): string {
  const root = join(base, `p${n++}`);
  mkdirSync(join(root, 'src', 'use_cases'), { recursive: true });
  cpSync(join(REPO, 'src', 'use_cases', 'index.ts'), join(root, 'src', 'use_cases', 'index.ts'));
  return root;
}

function file(text: string): string {
  const path = join(base, `f${n++}.csv`);
  writeFileSync(path, text);
  return path;
}

async function failure(options: { from: string; label?: string; positive?: string; id?: string }) {
  const root = project();
  const error = await scaffoldUseCase({
    root,
    name: 'bad_case',
    label: 'churn',
    format: false,
    ...options,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isRiskopsError(error)) throw new Error(`expected a RiskopsError, got ${String(error)}`);
  return error;
}

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

const GOOD = telecomChurnCsv({ rows: 300, seed: 9 });

describe('scaffolding refuses bad files with a clear error', () => {
  it('an empty file', async () => {
    const error = await failure({ from: file('') });
    expect(error.code).toBe('data_contract');
    expect(error.message).toMatch(/the file is empty; expected a header row/);
    expect((await failure({ from: file('\n\n') })).message).toMatch(/empty/);
  });

  it('a file without a header row', async () => {
    const withoutHeader = GOOD.split('\n').slice(1).join('\n');
    const error = await failure({ from: file(withoutHeader) });
    expect(error.code).toBe('data_contract');
    expect(error.message).toMatch(/no header row: the first line \(2026-.*\) holds values such as '2026-/);
  });

  it('a header only', async () => {
    const error = await failure({ from: file(`${GOOD.split('\n')[0]}\n`) });
    expect(error.message).toMatch(/a header but no data rows/);
  });

  it('a missing label column, listing the columns there are', async () => {
    const error = await failure({ from: file(GOOD), label: 'churned' });
    expect(error.code).toBe('data_contract');
    expect(error.message).toMatch(
      /no label column churned; the columns are snapshot_date, gender, .*, churn$/,
    );
  });

  it('a label with more than two values', async () => {
    const text = GOOD.replace(/,Yes\n/, ',Maybe\n');
    const error = await failure({ from: file(text) });
    expect(error.code).toBe('data_contract');
    expect(error.message).toMatch(
      /label column churn has 3 distinct values \('No', 'Yes', 'Maybe'\).*exactly two/,
    );
  });

  it('a label with one value', async () => {
    const error = await failure({ from: file(GOOD.replace(/,Yes\n/g, ',No\n')) });
    expect(error.message).toMatch(/label column churn has only the value 'No'/);
  });

  it('a --positive that is not a label value, an unknown --id, a bad name, a non-CSV file', async () => {
    expect((await failure({ from: file(GOOD), positive: 'Maybe' })).message).toMatch(
      /--positive Maybe is not a value of the label churn \(it has 'No', 'Yes'\)/,
    );
    expect((await failure({ from: file(GOOD), id: 'customer_id' })).message).toMatch(
      /--id customer_id: no such column/,
    );
    const root = project();
    await expect(
      scaffoldUseCase({ root, name: 'Bad-Name', from: file(GOOD), label: 'churn', format: false }),
    ).rejects.toThrow(/use snake_case/);
    const jsonl = join(base, 'rows.jsonl');
    writeFileSync(jsonl, '{}\n');
    await expect(
      scaffoldUseCase({ root, name: 'x', from: jsonl, label: 'churn', format: false }),
    ).rejects.toThrow(/reads CSV files/);
  });

  it('drops a column that is missing on every row, with a notice, and writes nothing into it', async () => {
    const root = project();
    const result = await scaffoldUseCase({
      root,
      name: 'with_empty',
      from: file(telecomChurnCsv({ rows: 300, seed: 9, emptyColumn: true })),
      label: 'churn',
      format: false,
    });
    expect(result.plan.dropped).toEqual([{ name: 'legacy_segment', reason: 'every value is missing' }]);
    expect(result.notes).toContain('dropped column legacy_segment: every value is missing');
    const schema = readFileSync(join(root, 'src', 'use_cases', 'with_empty', 'schema.ts'), 'utf8');
    expect(schema).not.toContain('legacy_segment');
    expect(result.notes.some((note) => /only 300 rows: training needs at least 1000/.test(note))).toBe(true);
  });

  it('refuses an existing name without force', async () => {
    const root = project();
    const from = file(GOOD);
    await scaffoldUseCase({ root, name: 'twice', from, label: 'churn', format: false });
    const error = await scaffoldUseCase({ root, name: 'twice', from, label: 'churn', format: false }).catch(
      (e) => e,
    );
    expect(isRiskopsError(error, 'conflict')).toBe(true);
    expect((error as Error).message).toBe(
      'src/use_cases/twice already exists: choose another name, or pass --force to overwrite its files',
    );
    await scaffoldUseCase({ root, name: 'twice', from, label: 'churn', format: false, force: true });
  });
});

describe('inference', () => {
  it('reads types, levels, missing rates and a 1/0 label; an --id column becomes the entity id', async () => {
    const text = [
      'account,score,flag,tier,opened,note,churn',
      ...Array.from({ length: 200 }, (_, i) =>
        [
          `A${1000 + i}`,
          i % 10 === 0 ? '' : String(i * 1.5 - 20),
          i % 3 === 0 ? 'true' : 'false',
          ['gold', 'silver', 'bronze'][i % 3],
          `2025-0${1 + (i % 9)}-1${i % 10}`,
          `"free, text ${i}"`,
          String(i % 4 === 0 ? 1 : 0),
        ].join(','),
      ),
    ].join('\n');
    const root = project();
    const result = await scaffoldUseCase({
      root,
      name: 'kinds',
      from: file(text),
      label: 'churn',
      id: 'account',
      sampleRows: 0,
      format: false,
    });
    const kinds = Object.fromEntries(result.plan.columns.map((c) => [c.name, [c.kind, c.role]]));
    expect(kinds).toEqual({
      account: ['text', 'id'],
      score: ['number', 'feature'],
      flag: ['boolean', 'feature'],
      tier: ['category', 'feature'],
      opened: ['date', 'reference_date'],
      note: ['text', 'text'],
    });
    expect(result.plan.label).toMatchObject({ positive: '1', negative: '0', text: false, positives: 50 });
    expect(result.plan.entityIdField).toBe('account');
    expect(result.plan.rowHash).toBe(false);
    const score = result.plan.columns.find((c) => c.name === 'score');
    expect(score?.missingRate).toBeCloseTo(0.1);
    expect([score?.lower, score?.upper]).toEqual([-200, 3000]);
    const schema = readFileSync(join(root, 'src', 'use_cases', 'kinds', 'schema.ts'), 'utf8');
    expect(schema).toContain('flag: z.boolean(REQUIRED),');
    expect(schema).toContain('score: z.number().min(-200).max(3000).nullish(),');
    expect(schema).not.toContain('withRowHash');
    const index = readFileSync(join(root, 'src', 'use_cases', 'kinds', 'index.ts'), 'utf8');
    expect(index).not.toContain('values:');
    expect(index).toContain("entityIdField: 'account',");
    expect(index).toContain('No data file is committed: train with `riskops train kinds --data file.csv`');
    expect(existsSync(join(root, 'src', 'use_cases', 'kinds', 'sample.csv'))).toBe(false);
  });

  it('widens observed ranges to sensible limits and names columns in snake_case', () => {
    expect(niceCeil(720)).toBe(800);
    expect(niceCeil(1187.5)).toBe(2000);
    expect(niceCeil(0.45)).toBe(0.5);
    expect(limits(0, 72)).toEqual({ lower: 0, upper: 800 });
    expect(limits(-0.3, 0.2)).toEqual({ lower: -3, upper: 2 });
    expect(limits(-5, -1)).toEqual({ lower: -50, upper: 0 });
    expect(snakeCase('MonthlyCharges')).toBe('monthly_charges');
    expect(snakeCase('customerID')).toBe('customer_id');
    expect(snakeCase('Monthly Charges (EUR)')).toBe('monthly_charges_eur');
    expect(snakeCase('2nd_line')).toBe('f_2nd_line');
  });
});
