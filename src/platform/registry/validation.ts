import { z } from 'zod';
import { RiskopsError } from '../errors/index.js';

/** `YYYYMMDDTHHMMSSZ-<first 12 hex of sha256>`: sortable by push time, and names its content. */
export const VERSION_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{12}$/;

/**
 * A version id as the registry generates it. The one check every entry point uses (registry calls, the
 * `?version=` query, admin bodies, the CLI) before a version id reaches a blob path.
 */
export const VersionIdSchema = z
  .string()
  .regex(
    VERSION_PATTERN,
    'must be a version id like 20261122T081500Z-3fa1c2d4e5f6 (UTC time, 12 hex digits)',
  );

/** Printable text: no control characters (they would forge lines in logs and terminal output). */
const PRINTABLE = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u;

export const MAX_ACTOR_LENGTH = 256;
export const MAX_REASON_LENGTH = 500;

/** Who acted, as written to the ledger and to blob metadata. */
export const ActorSchema = z
  .string()
  .trim()
  .min(1, 'must name who acts')
  .max(MAX_ACTOR_LENGTH, `must be at most ${MAX_ACTOR_LENGTH} characters`)
  .regex(PRINTABLE, 'must not contain control characters');

/** Why, as written to the ledger. */
export const ReasonSchema = z
  .string()
  .trim()
  .min(1, 'give a reason: it is written to the ledger')
  .max(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`)
  .regex(PRINTABLE, 'must not contain control characters (one line of text)');

/**
 * Parses `value` with `schema`, naming `field` in the error.
 * @throws RiskopsError `invalid_input` with one issue at `field`.
 */
export function checkField<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const message = result.error.issues.map((i) => i.message).join('; ');
  const shown = typeof value === 'string' && value.length > 80 ? `${value.slice(0, 80)}…` : String(value);
  throw new RiskopsError('invalid_input', `Invalid ${field} '${shown}': ${message}`, {
    issues: [{ path: field, message }],
  });
}

/** @throws RiskopsError `invalid_input` naming `field` when `version` is not a well-formed version id. */
export const checkVersionId = (version: unknown, field = 'version'): string =>
  checkField(VersionIdSchema, version, field);
