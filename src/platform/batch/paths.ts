import type { OutputFormat } from './types.js';

/** `{useCase}/{date}/`: where upstream systems drop a day's input files in the input container. */
export function inputPrefix(useCase: string, date: string): string {
  return `${useCase}/${date}/`;
}

/** `{useCase}/{date}/{runId}/`: a run's folder in the output container. */
export function runPrefix(useCase: string, date: string, runId: string): string {
  return `${useCase}/${date}/${runId}/`;
}

export function partName(chunk: number): string {
  return `part-${String(chunk).padStart(5, '0')}`;
}

export function outputPath(prefix: string, chunk: number, format: OutputFormat): string {
  return `${prefix}${partName(chunk)}.${format}`;
}

export function rejectsPath(prefix: string, chunk: number): string {
  return `${prefix}rejects/${partName(chunk)}.jsonl`;
}

export const SUCCESS_FILE = '_SUCCESS.json';
export const FAILED_FILE = '_FAILED.json';

/** The day (UTC) a timer firing at `now` scores. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}
