/** One record of a data file: its values, or why it could not become a row. Both keep the raw text. */
export type TabularItem = TabularRow | TabularReject;

export interface TabularRow {
  /** 1-based line the record starts on (a CSV header is line 1). */
  line: number;
  row: Record<string, unknown>;
  /** The record's text as it was in the file (without its line break). */
  raw: string;
}

export interface TabularReject {
  line: number;
  error: string;
  raw: string;
}

/** Anything a reader consumes: a Node stream or any async iterable of bytes or text. */
export type ByteSource = AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>;

export interface ReadOptions {
  /** Named in file-level errors. */
  source?: string;
  /** Added to every data line number (a chunk that starts mid-file). */
  lineOffset?: number;
}
