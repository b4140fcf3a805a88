import type { Score } from '../scoring/index.js';
import { csvCell, csvLine } from '../tabular/index.js';
import type { OutputFormat } from './types.js';

/** The score columns after the use case's key columns, in output order. */
export const SCORE_COLUMNS = ['entityId', 'probability', 'band', 'action', 'modelVersion'] as const;

/** One output row as an object: the key columns, then the score columns. */
export function outputRow(
  keys: readonly string[],
  record: Readonly<Record<string, unknown>>,
  score: Score,
  modelVersion: string,
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const key of keys) row[key] = record[key];
  row.entityId = score.entityId;
  row.probability = score.probability;
  row.band = score.band;
  row.action = score.action;
  row.modelVersion = modelVersion;
  return row;
}

/**
 * Writes output lines as `JSON.stringify(outputRow(…))` or `csvLine(outputRow(…), columns)` would, without
 * building the row object: key names and each band's closing columns are rendered once. (Key columns that
 * share a name with a score column fall back to building the row.)
 */
export function createLineWriter(
  keys: readonly string[],
  format: OutputFormat,
  modelVersion: string,
): (record: Readonly<Record<string, unknown>>, score: Score) => string {
  const columns = [...keys, ...SCORE_COLUMNS];
  const plain = keys.every((k) => k !== '__proto__' && !(SCORE_COLUMNS as readonly string[]).includes(k));
  if (!plain || new Set(keys).size < keys.length) {
    return (record, score) => {
      const row = outputRow(keys, record, score, modelVersion);
      return format === 'csv' ? csvLine(row, columns) : `${JSON.stringify(row)}\n`;
    };
  }
  // Band, then action: two lookups of strings that already exist, no key built per line.
  const tails = new Map<string, Map<string, string>>();
  const tailOf = (score: Score): string => {
    let byAction = tails.get(score.band);
    if (byAction === undefined) {
      byAction = new Map();
      tails.set(score.band, byAction);
    }
    let tail = byAction.get(score.action);
    if (tail === undefined) {
      tail =
        format === 'csv'
          ? `,${csvCell(score.band)},${csvCell(score.action)},${csvCell(modelVersion)}\n`
          : `,"band":${JSON.stringify(score.band)},"action":${JSON.stringify(score.action)},"modelVersion":${JSON.stringify(modelVersion)}}\n`;
      byAction.set(score.action, tail);
    }
    return tail;
  };
  if (format === 'csv') {
    return (record, score) => {
      let line = '';
      for (const key of keys) line += `${csvCell(record[key])},`;
      return `${line}${csvCell(score.entityId)},${csvCell(score.probability)}${tailOf(score)}`;
    };
  }
  const names = keys.map((k) => `${JSON.stringify(k)}:`);
  return (record, score) => {
    let line = '{';
    for (let i = 0; i < keys.length; i++) {
      const value = JSON.stringify(record[keys[i] as string]);
      if (value !== undefined) line += `${names[i]}${value},`;
    }
    return `${line}"entityId":${JSON.stringify(score.entityId)},"probability":${JSON.stringify(score.probability)}${tailOf(score)}`;
  };
}
