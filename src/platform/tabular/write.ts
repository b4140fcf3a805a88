import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** One CSV cell: quoted (RFC 4180) when it holds a quote, comma or line break; objects as JSON. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line (with its line break) of `row` in `columns` order. */
export function csvLine(row: Readonly<Record<string, unknown>>, columns: readonly string[]): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    if (i > 0) line += ',';
    line += csvCell(row[columns[i] as string]);
  }
  return `${line}\n`;
}

/** Writes `text`, waiting for `drain` when the stream's buffer is full. */
export async function writeText(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}
