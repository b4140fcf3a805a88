/** `riskops export-features`: a use case's feature matrix as CSV, for teams that train their own models. */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { RiskopsError } from '../../platform/errors/index.js';
import { defaultRows, readLabeledFile, validateTrainingData } from '../../platform/training/index.js';
import { getUseCase, USE_CASE_NAMES } from '../../use_cases/index.js';

const USAGE = `usage: riskops export-features <useCase> --out file.csv [--rows N] [--seed S] [--data file.csv]
                                [--records file.jsonl]

Generates N rows (default 10000) with the use case's deterministic generator (seed S, default the use
case's training seed) — or reads labeled rows from --data (a use case built from a data file, which has
no generator, reads --data or else its committed training.dataFile) — validates them with its schema, and
writes the encoded feature matrix exactly as serving computes it: a header with the feature names in
model input order, then the label column (0/1). Missing values are imputed with medians fitted on these
rows. --records also writes the valid records (with labels) as JSON lines: pass them as --sample to
\`riskops models push --external\`, which fits the same imputation state and builds the drift reference
from them.
`;

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--'))
    throw new RiskopsError('invalid_input', `--${name} needs a value`);
  return value;
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new RiskopsError('invalid_input', `--${name} must be a positive integer`);
  return n;
}

/** RFC 4180 quoting, only where needed. */
function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Float32 values print with the 9 significant digits that round-trip them. */
function number(value: number): string {
  return String(Number(value.toPrecision(9)));
}

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function close(stream: Writable): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const name = args[0];
  if (name === undefined || name.startsWith('--')) {
    process.stderr.write(USAGE);
    return 2;
  }
  const useCase = getUseCase(name);
  if (useCase === undefined) {
    throw new RiskopsError(
      'unknown_use_case',
      `Unknown use case '${name}'. Known: ${USE_CASE_NAMES.join(', ')}`,
    );
  }
  const out = option(args, 'out');
  if (out === undefined) throw new RiskopsError('invalid_input', `--out is required\n\n${USAGE}`);
  const rowsOption = option(args, 'rows');
  const rows = positiveInt(rowsOption, 'rows', 10_000);
  const seed = Number(option(args, 'seed') ?? useCase.training.seed);
  if (!Number.isInteger(seed)) throw new RiskopsError('invalid_input', '--seed must be an integer');
  const recordsPath = option(args, 'records');

  const dataPath = option(args, 'data');
  const source =
    dataPath !== undefined
      ? { rows: readLabeledFile(dataPath, useCase), source: basename(dataPath) }
      : defaultRows(useCase, {
          seed,
          syntheticRows: useCase.generate === undefined && rowsOption === undefined ? undefined : rows,
        });
  // The data contract's row checks (schema, label as 0/1), without the size thresholds of training.
  const data = await validateTrainingData(useCase, source.rows, {
    source: source.source,
    thresholds: { minValidRows: 1, minValidShare: 0, minPositives: 0, missingError: 1.01 },
  });
  const valid = data.records.map((record, i) => ({ record, y: data.labels[i] as number }));
  const { rejected } = data.report.rows;
  const { features, label } = useCase;
  const state = features.fit(valid.map((v) => v.record));
  const width = features.width;
  const vector = new Float32Array(width);

  const csv = createWriteStream(out);
  await write(csv, `${[...features.names, label.field].map(csvCell).join(',')}\n`);
  for (const { record, y } of valid) {
    features.encode(record, state, vector);
    const cells = Array.from(vector, number);
    cells.push(String(y));
    await write(csv, `${cells.join(',')}\n`);
  }
  await close(csv);

  if (recordsPath !== undefined) {
    const jsonl = createWriteStream(recordsPath);
    for (const { record, y } of valid) {
      await write(jsonl, `${JSON.stringify({ ...record, [label.field]: y })}\n`);
    }
    await close(jsonl);
  }
  process.stdout.write(
    `wrote ${valid.length} rows x ${width} features of ${useCase.name} (${source.source}) to ${out}` +
      `${rejected > 0 ? `; ${rejected} malformed rows skipped` : ''}` +
      `${recordsPath === undefined ? '' : `; records in ${recordsPath}`}\n`,
  );
  return 0;
}
