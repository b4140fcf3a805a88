import { extname } from 'node:path';
import { RiskopsError } from '../errors/index.js';

export type DataFormat = 'csv' | 'jsonl';

/** A file's record format and whether it is gzip-compressed, from its name. */
export interface FileFormat {
  format: DataFormat;
  gzip: boolean;
}

/**
 * `csv` or `jsonl` from the file name (.csv, .jsonl, .ndjson), optionally followed by `.gz`.
 * @throws RiskopsError `invalid_input` naming the file for any other extension.
 */
export function fileFormatOf(path: string): FileFormat {
  const gzip = extname(path).toLowerCase() === '.gz';
  const base = gzip ? path.slice(0, -3) : path;
  const ext = extname(base).toLowerCase();
  if (ext === '.csv') return { format: 'csv', gzip };
  if (ext === '.jsonl' || ext === '.ndjson') return { format: 'jsonl', gzip };
  throw new RiskopsError(
    'invalid_input',
    `${path}: expected a .csv, .jsonl or .ndjson file (optionally .gz)`,
  );
}

/** `csv` or `jsonl` from an uncompressed file name (.csv, .jsonl, .ndjson). */
export function dataFormatOf(path: string): DataFormat {
  const { format, gzip } = fileFormatOf(path);
  if (gzip) throw new RiskopsError('invalid_input', `${path}: expected a .csv, .jsonl or .ndjson file`);
  return format;
}
