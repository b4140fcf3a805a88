/** @module Tabular: streaming CSV (csv-parse, RFC 4180) and JSON Lines, gzip, line numbers and raw rows for rejects. */
export { type CsvReadOptions, parseCsvRecord, readCsv } from './csv.js';
export {
  type CellResult,
  type ColumnKind,
  columnKinds,
  convertCell,
  type FieldKind,
  schemaFields,
} from './fields.js';
export { type DataFormat, dataFormatOf, type FileFormat, fileFormatOf } from './format.js';
export { parseJsonLine, readJsonl } from './jsonl.js';
export { byteRange, type FileLayout, layoutRecords, type Segment } from './layout.js';
export { decode, inSteps, items, READ_STEP_BYTES, readTabular, readTabularFile } from './open.js';
export type { ByteSource, ReadOptions, TabularItem, TabularReject, TabularRow } from './records.js';
export { csvCell, csvLine, writeText } from './write.js';
