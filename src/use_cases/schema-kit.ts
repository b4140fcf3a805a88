/**
 * @module Building blocks for use-case schemas and features written by `riskops use-case new` (and free for
 * hand-written ones): yes/no text as booleans, an entity id hashed from the record when the source has no
 * id column, and whole days between two dates.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { dayNumber } from './generator-kit.js';

export { REQUIRED } from './generator-kit.js';

/**
 * A boolean the data file spells as text (`Yes`/`No`, `Y`/`N`): those words, any case, read as true/false;
 * JSON callers may also send true/false.
 */
export function booleanText(yes: string, no: string) {
  const t = yes.trim().toLowerCase();
  const f = no.trim().toLowerCase();
  return z.preprocess(
    (value) => {
      if (typeof value !== 'string') return value;
      const v = value.trim().toLowerCase();
      return v === t ? true : v === f ? false : value;
    },
    z.boolean({
      error: (issue) =>
        issue.input === undefined ? 'Required field is missing' : `expected ${yes}/${no} or true/false`,
    }),
  );
}

function canonical(record: Readonly<Record<string, unknown>>, skip: string): string {
  const keys = Object.keys(record)
    .filter((k) => k !== skip && record[k] !== undefined && record[k] !== null)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(record[k])}`).join(',')}}`;
}

/** The first 16 hex digits of the sha256 of the record's fields (sorted keys, absent and null left out). */
export function rowHash(record: Readonly<Record<string, unknown>>, skip = ''): string {
  return createHash('sha256').update(canonical(record, skip)).digest('hex').slice(0, 16);
}

/**
 * For sources without an id column: after validation, `field` is the row hash of the parsed record when the
 * caller did not send one, so the same record always gets the same entity id (in training, scoring and audit).
 */
export function withRowHash<T extends z.ZodObject>(schema: T, field: string): T {
  return schema.overwrite((record) => {
    const value = (record as Record<string, unknown>)[field];
    if (typeof value === 'string' && value !== '') return record;
    return { ...record, [field]: rowHash(record as Record<string, unknown>, field) } as typeof record;
  });
}

/** Whole days from `from` to `to` (ISO dates); undefined when either is absent. */
export function daysFrom(from: string | null | undefined, to: string | null | undefined): number | undefined {
  if (from === undefined || from === null || to === undefined || to === null) return undefined;
  return dayNumber(to) - dayNumber(from);
}
