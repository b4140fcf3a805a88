/**
 * The scaffold's one CSV adapter: the header, then the rows as text, read by the platform's data-file reader
 * (`readCsvRows` of src/platform/training: RFC 4180, streaming). Every column is read as text except the
 * label, which the reader turns into 1/0 where it is spelled 1/0 or true/false — exactly as training will.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { RiskopsError } from '../errors/index.js';
import { parseCsvRecord, readCsvRows, type SourceRow, writeLabeledFile } from '../training/index.js';
import type { AnyUseCase, LabeledRow } from '../use-case/index.js';

/** The first non-blank line of the file, or undefined for an empty file. */
async function firstLine(path: string): Promise<string | undefined> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line.trim() !== '') return line;
    return undefined;
  } finally {
    lines.close();
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The header's column names.
 * @throws RiskopsError `data_contract` for an empty file, a first line that is data rather than names (numbers,
 *   dates, empty names), or a repeated name.
 */
export async function readHeader(path: string): Promise<string[]> {
  const line = await firstLine(path).catch((error: unknown) => {
    throw new RiskopsError('invalid_input', `${path}: cannot read the file (${(error as Error).message})`, {
      cause: error,
    });
  });
  if (line === undefined)
    throw new RiskopsError('data_contract', `${path}: the file is empty; expected a header row`);
  const cells = parseCsvRecord(line);
  if (!Array.isArray(cells)) throw new RiskopsError('data_contract', `${path}: header: ${cells.error}`);
  const names = cells.map((c, i) => (i === 0 ? c.replace(/^\uFEFF/, '') : c).trim());
  const bad = names.filter((n) => n === '' || NUMBER.test(n) || ISO_DATE.test(n));
  if (bad.length > 0 || names.length < 2)
    throw new RiskopsError(
      'data_contract',
      `${path}: no header row: the first line (${line.slice(0, 80)}) holds ${bad.length > 0 ? `values such as '${bad[0]}'` : 'a single column'}, not column names. Add a header line naming each column.`,
    );
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw new RiskopsError('data_contract', `${path}: column ${name} appears twice in the header`);
    seen.add(name);
  }
  return names;
}

/** Rows of `path` as text (empty cells left out), the label column converted as training converts it. */
export function readTextRows(path: string, label: string): AsyncGenerator<SourceRow> {
  // readCsvRows types its columns from a use case's schema: an empty schema reads every column as text.
  const shape = { schema: z.object({}), label: { field: label } } as unknown as AnyUseCase;
  return readCsvRows(path, shape);
}

/** Writes rows as CSV with `header` as the columns (the platform's data-file writer). */
export function writeTextRows(
  path: string,
  header: readonly string[],
  rows: Iterable<LabeledRow>,
): Promise<number> {
  const shape = { schema: z.object({}), label: { field: '' } } as unknown as AnyUseCase;
  return writeLabeledFile(path, shape, rows, header);
}
