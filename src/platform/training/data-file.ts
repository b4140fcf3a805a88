/**
 * Labeled training data files, read through the tabular room: CSV (header row, RFC 4180 quoting) and JSON
 * lines. A record that cannot become a row (bad JSON, wrong cell count, text in a numeric column) is yielded
 * as an error with its line number, so validation counts it as a reject instead of failing the file.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { RiskopsError } from '../errors/index.js';
import {
  columnKinds,
  csvCell,
  csvLine,
  type DataFormat,
  dataFormatOf,
  type FieldKind,
  items,
  parseCsvRecord,
  readTabularFile,
  schemaFields,
  type TabularItem,
  writeText,
} from '../tabular/index.js';
import type { AnyUseCase, LabeledRow } from '../use-case/index.js';

export { csvLine, type DataFormat, dataFormatOf, type FieldKind, parseCsvRecord, schemaFields };

/** One input row, or why its line could not become one. `line` is 1-based (a CSV header is line 1). */
export type SourceRow = { line: number; row: LabeledRow } | { line: number; error: string };

/** In-memory rows as source rows, numbered from 1 (generated data, a queue message's rows, tests). */
export function* sourceRows(rows: Iterable<LabeledRow>): Generator<SourceRow> {
  let line = 0;
  for (const row of rows) yield { line: ++line, row };
}

async function* withoutRaw(source: AsyncIterable<TabularItem[]>): AsyncGenerator<SourceRow> {
  for await (const item of items(source)) {
    yield 'row' in item ? { line: item.line, row: item.row } : { line: item.line, error: item.error };
  }
}

/**
 * Reads a CSV file of labeled rows: the header names the columns; cells of schema number fields become
 * numbers, of boolean fields booleans (true/false/1/0), of the label field 0/1; an empty cell leaves
 * the field out. Columns the schema does not know are kept as text (the schema drops them).
 * @throws RiskopsError `data_contract` when the header is missing, repeats a column or lacks the label.
 */
export function readCsvRows(path: string, useCase: AnyUseCase): AsyncGenerator<SourceRow> {
  if (dataFormatOf(path) !== 'csv') throw new RiskopsError('invalid_input', `${path}: expected a .csv file`);
  return withoutRaw(
    readTabularFile(path, {
      kinds: columnKinds(useCase, { label: true }),
      onHeader: (columns) => {
        if (!columns.includes(useCase.label.field))
          throw new RiskopsError('data_contract', `${path}: no label column ${useCase.label.field}`);
      },
    }),
  );
}

/** Reads JSON lines, one labeled row object per line; blank lines are skipped. */
export function readJsonlRows(path: string): AsyncGenerator<SourceRow> {
  if (dataFormatOf(path) !== 'jsonl')
    throw new RiskopsError('invalid_input', `${path}: expected a .jsonl file`);
  return withoutRaw(readTabularFile(path));
}

/** Reads a labeled data file by its extension (see `readCsvRows` and `readJsonlRows`). */
export function readLabeledFile(path: string, useCase: AnyUseCase): AsyncGenerator<SourceRow> {
  return dataFormatOf(path) === 'csv' ? readCsvRows(path, useCase) : readJsonlRows(path);
}

/** The columns of a use case's data file: the schema's fields, then the label. */
export function dataColumns(useCase: AnyUseCase): string[] {
  return [...schemaFields(useCase).map((f) => f.name), useCase.label.field];
}

/**
 * Writes labeled rows to `path` as CSV (header from `columns`, default the use case's fields and label)
 * or JSON lines, by extension. Rows may be malformed; they are written as they are.
 */
export async function writeLabeledFile(
  path: string,
  useCase: AnyUseCase,
  rows: Iterable<Readonly<Record<string, unknown>>>,
  columns: readonly string[] = dataColumns(useCase),
): Promise<number> {
  const csv = dataFormatOf(path) === 'csv';
  const out = createWriteStream(path);
  let count = 0;
  try {
    if (csv) await writeText(out, `${columns.map(csvCell).join(',')}\n`);
    for (const row of rows) {
      await writeText(out, csv ? csvLine(row, columns) : `${JSON.stringify(row)}\n`);
      count++;
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return count;
}
