import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRiskopsError, type RiskopsError } from '../../src/platform/errors/index.js';
import {
  parseCsvRecord,
  readCsvRows,
  readLabeledFile,
  type SourceRow,
  sourceRows,
  trainUseCase,
  type ValidationReport,
  validateTrainingData,
  writeLabeledFile,
} from '../../src/platform/training/index.js';
import type { LabeledRow } from '../../src/platform/use-case/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';

const ROWS = 3_000;
const LABEL = latePayment.label.field;
let dir: string;
let rows: LabeledRow[];

async function collect(source: AsyncIterable<SourceRow>): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for await (const row of source) out.push(row);
  return out;
}

/** Replaces the given lines (1-based) of a text file. */
async function editLines(path: string, edits: Record<number, (line: string) => string>): Promise<void> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  for (const [n, edit] of Object.entries(edits)) lines[Number(n) - 1] = edit(lines[Number(n) - 1] ?? '');
  await writeFile(path, lines.join('\n'));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'riskops-data-'));
  rows = latePayment.generate({ rows: ROWS, seed: 5 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CSV records', () => {
  it('follow RFC 4180 quoting', () => {
    expect(parseCsvRecord('a,"b,c","say ""hi""",')).toEqual(['a', 'b,c', 'say "hi"', '']);
    expect(parseCsvRecord('"multi\nline",x')).toEqual(['multi\nline', 'x']);
    expect(parseCsvRecord('a,b"c')).toEqual({ error: 'quote inside an unquoted cell 2' });
    expect(parseCsvRecord('"a"b,c')).toEqual({ error: 'text after a closing quote in cell 1' });
  });

  it('round-trip through writeLabeledFile, converting cells by the schema field types', async () => {
    const path = join(dir, 'roundtrip.csv');
    const sample: LabeledRow[] = [
      { ...rows[0], customer_name: 'Nord, "Terra" GmbH\nBerlin' },
      ...rows.slice(1, 50),
    ];
    await writeLabeledFile(path, latePayment, sample);
    const read = await collect(readCsvRows(path, latePayment));
    expect(read).toHaveLength(50);
    expect(read.map((r) => ('row' in r ? r.row : r))).toEqual(sample);
    expect(read[1]?.line).toBe(4); // header, then a record spanning lines 2-3
  });
});

describe('training from a file with malformed rows', () => {
  let csvReport: ValidationReport;

  it('rejects CSV lines with wrong types, bad labels, unknown enums and wrong cell counts, and trains on the rest', async () => {
    const path = join(dir, 'train.csv');
    await writeLabeledFile(path, latePayment, rows);
    const header = (await readFile(path, 'utf8')).split('\n')[0]?.split(',') ?? [];
    const cell = (name: string) => header.indexOf(name);
    const setCell = (name: string, value: string) => (line: string) => {
      const cells = line.split(',');
      cells[cell(name)] = value;
      return cells.join(',');
    };
    await editLines(path, {
      5: setCell('amount', 'twelve'),
      9: setCell(LABEL, '2'),
      12: setCell('country', 'XX'),
      20: (line) => `${line},extra`,
      33: setCell('disputed', 'maybe'),
      40: setCell('payment_terms_days', '-5'),
      41: setCell(LABEL, ''),
    });

    const result = await trainUseCase(latePayment, {
      rows: readLabeledFile(path, latePayment),
      source: 'train.csv',
      algorithm: 'logistic',
    });
    csvReport = result.validationReport;
    expect(csvReport.rows).toEqual({ input: ROWS, valid: ROWS - 7, rejected: 7 });
    const reasons = Object.fromEntries(csvReport.rejects.map((r) => [r.line, r.reasons.join('; ')]));
    expect(reasons).toEqual({
      5: 'amount: expected a number',
      9: `${LABEL}: label must be 0/1 or true/false`,
      12: expect.stringMatching(/^country: Invalid option/),
      20: `expected ${header.length} cells, got ${header.length + 1}`,
      33: 'disputed: expected true/false or 1/0',
      40: expect.stringMatching(/^payment_terms_days: Too small/),
      41: `${LABEL}: label is missing`,
    });
    expect(result.manifest.training).toMatchObject({ source: 'train.csv', rows: ROWS - 7, rejectedRows: 7 });
    expect(result.manifest.validation).toMatchObject({ passed: true, errors: 0 });
  });

  it('rejects JSONL lines with bad JSON, non-objects, bad labels and missing fields', async () => {
    const path = join(dir, 'train.jsonl');
    await writeLabeledFile(path, latePayment, rows);
    await editLines(path, {
      3: (line) => line.slice(0, 25),
      7: () => '[1, 2]',
      8: (line) => line.replace(`"${LABEL}":`, `"${LABEL}":"yes","was":`),
      15: (line) => line.replace(/"invoice_id":"[^"]*",/, ''),
      16: (line) => line.replace(/"currency":"[^"]*"/, '"currency":"XYZ"'),
    });
    const data = await validateTrainingData(latePayment, readLabeledFile(path, latePayment), {
      source: 'train.jsonl',
    });
    expect(data.report.rows).toEqual({ input: ROWS, valid: ROWS - 5, rejected: 5 });
    expect(data.report.rejects).toEqual([
      { line: 3, reasons: [expect.stringMatching(/^invalid JSON/)] },
      { line: 7, reasons: ['not a JSON object'] },
      { line: 8, reasons: [`${LABEL}: label must be 0/1 or true/false`] },
      { line: 15, reasons: ['invoice_id: Required field is missing'] },
      { line: 16, reasons: [expect.stringMatching(/^currency: Invalid option/)] },
    ]);
  });

  it('hashes the same valid rows the same from CSV, JSONL or memory', async () => {
    const csv = join(dir, 'same.csv');
    const jsonl = join(dir, 'same.jsonl');
    await writeLabeledFile(csv, latePayment, rows);
    await writeLabeledFile(jsonl, latePayment, rows);
    const hashes = await Promise.all([
      validateTrainingData(latePayment, readLabeledFile(csv, latePayment), { source: 'a' }),
      validateTrainingData(latePayment, readLabeledFile(jsonl, latePayment), { source: 'b' }),
      validateTrainingData(latePayment, sourceRows(rows), { source: 'c' }),
    ]);
    expect(new Set(hashes.map((h) => h.dataHash)).size).toBe(1);
  });

  it('fails fast with a data_contract error naming the counts and the top reasons when too few rows are valid', async () => {
    const broken = latePayment.generate({ rows: ROWS, seed: 6, malformedRate: 0.6 });
    const error = await trainUseCase(latePayment, { rows: sourceRows(broken), algorithm: 'logistic' }).catch(
      (e: unknown) => e,
    );
    expect(isRiskopsError(error, 'data_contract')).toBe(true);
    const { message, details } = error as RiskopsError;
    const report = details.report as ValidationReport;
    expect(report.rows.valid).toBeLessThan(ROWS / 2);
    expect(message).toContain(`${report.rows.valid} of ${ROWS} rows valid, ${report.rows.rejected} rejected`);
    expect(message).toMatch(/need at least 1000 and 50% of the input/);
    expect(message).toContain('Top reject reasons:');
    expect(message).toContain(`${report.rejectReasons[0]?.reason} (${report.rejectReasons[0]?.count} rows)`);
  });

  it('fails on too few valid rows, a mostly missing required field, or one-sided labels', async () => {
    const fail = (items: LabeledRow[]) =>
      validateTrainingData(latePayment, sourceRows(items), { source: 'x' }).then(
        () => undefined,
        (e: unknown) =>
          ((e as RiskopsError).details.report as ValidationReport).issues.map(
            (i) => `${i.severity}:${i.check}`,
          ),
      );
    expect(await fail(rows.slice(0, 900))).toEqual(['error:valid_rows']);
    expect(await fail(rows.map((r) => ({ ...r, [LABEL]: 0 })))).toEqual(['error:label_balance']);
    const noChannel = rows.map((r, i) => (i % 10 < 6 ? { ...r, channel: undefined } : r));
    expect(await fail(noChannel)).toEqual(['error:valid_rows', 'error:missing_rate']);
    const someMissing = rows.map((r, i) => (i % 10 < 3 ? { ...r, channel: '' } : r));
    const data = await validateTrainingData(latePayment, sourceRows(someMissing), { source: 'x' });
    expect(data.report.issues).toEqual([
      expect.objectContaining({ severity: 'warning', check: 'missing_rate', field: 'channel' }),
    ]);
    expect(data.report.missing.find((m) => m.field === 'channel')).toMatchObject({
      required: true,
      rate: 0.3,
    });
  });
});
