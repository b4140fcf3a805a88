import { StringDecoder } from 'node:string_decoder';
import type { ByteSource, ReadOptions, TabularItem } from './records.js';

function jsonError(error: unknown): string {
  const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  return position === undefined ? 'invalid JSON' : `invalid JSON at column ${Number(position) + 1}`;
}

/** One JSON line as a row, or why not. */
export function parseJsonLine(text: string, line: number): TabularItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { line, raw: text, error: jsonError(error) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { line, raw: text, error: 'not a JSON object' };
  return { line, raw: text, row: value as Record<string, unknown> };
}

/**
 * Streams JSON Lines as batches of rows, one object per line, one batch per input chunk; blank lines are
 * skipped, a line that is not a JSON object is a reject with its line number and text.
 */
export async function* readJsonl(
  input: ByteSource,
  options: ReadOptions = {},
): AsyncGenerator<TabularItem[]> {
  const decoder = new StringDecoder('utf8');
  let line = options.lineOffset ?? 0;
  let carry = '';
  let first = true;
  const take = (text: string, out: TabularItem[]): void => {
    line++;
    let body = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (first) {
      body = body.replace(/^\uFEFF/, '');
      first = false;
    }
    if (body.trim() !== '') out.push(parseJsonLine(body, line));
  };
  for await (const chunk of input) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    const out: TabularItem[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl), out);
      start = nl + 1;
    }
    carry = text.slice(start);
    if (out.length > 0) yield out;
  }
  carry += decoder.end();
  if (carry !== '') {
    const out: TabularItem[] = [];
    take(carry, out);
    if (out.length > 0) yield out;
  }
}
