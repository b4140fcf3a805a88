import { z } from 'zod';
import { isRiskopsError, RiskopsError } from '../errors/index.js';

/** Which model a record's result came from. `shadow` results were never returned to the caller. */
export const DecisionRoleSchema = z.enum(['champion', 'canary', 'pinned', 'shadow']);
export type DecisionRole = z.infer<typeof DecisionRoleSchema>;

export const AuditReasonSchema = z.object({
  feature: z.string(),
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]),
  contribution: z.number(),
  text: z.string(),
});

/** One decision as it is kept: PII fields of `inputs` are already keyed-hashed. */
export const DecisionRecordSchema = z.object({
  requestId: z.string(),
  /** Position of the record in the request (0 for a single record). */
  index: z.number().int().nonnegative(),
  time: z.string(),
  useCase: z.string(),
  modelVersion: z.string(),
  modelSha256: z.string(),
  role: DecisionRoleSchema,
  entityId: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  probability: z.number(),
  band: z.string(),
  action: z.string(),
  reasons: z.array(AuditReasonSchema).nullable(),
  /** Who called: the platform-validated principal, or how the call was authorised. */
  caller: z.string(),
});
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

export interface DecisionQuery {
  useCase: string;
  /** Every decision about this entity (newest first within a day). */
  entityId?: string;
  /** `YYYY-MM-DD` (UTC): every decision of that day. */
  date?: string;
  limit?: number;
}

/** What the index has done and what it still has to do, for `/api/health`. */
export interface DecisionIndexStatus {
  /** Bytes of decision blobs not yet in the table, as of the last round. */
  pendingBytes: number;
  indexedRecords: number;
  /** Lines that are not decision records (never expected; kept in the blob, left out of the index). */
  unreadableLines: number;
  /** Records the table refuses (e.g. a property over 64 KiB): they stay in the blob only. */
  unindexableRecords: number;
  lastRoundAt?: string;
  lastError?: string;
}

/** Where decision records are going (a spooled log), for `/api/health`. */
export interface DecisionLogStatus {
  /** `direct`: appends go to the table; `spooling`: the table failed, appends go to the local journal. */
  mode: 'direct' | 'spooling';
  /** Records on local disk not yet in the table (including those of a previous run being replayed). */
  pendingRecords: number;
  /** Since when records have been waiting (ISO time), while any are. */
  since?: string;
  lastError?: string;
  /** Records the table refused for good, kept in `rejected.jsonl` of the spool folder. */
  rejectedRecords: number;
  /** Journal segments that could not be read, kept as `*.corrupt`. */
  corruptSegments: number;
  /** The table index of a log committed to blobs. */
  index?: DecisionIndexStatus;
}

/** Where decisions are kept. `append` resolves only once every record is durably stored. */
export interface DecisionLog {
  /**
   * @throws RiskopsError `storage_unavailable` when the records could not be written (then none is returned).
   */
  append(records: readonly DecisionRecord[]): Promise<void>;
  find(query: DecisionQuery): Promise<DecisionRecord[]>;
  close(): Promise<void>;
  /** Where records are going now: a spooled log says `spooling` while the table is unreachable. */
  status?(): DecisionLogStatus;
  /** A log committed to blobs: brings its table index up to date (the `indexDecisions` timer). */
  index?(): Promise<DecisionIndexStatus>;
  /** A log committed to blobs: where its index stands (no storage call). */
  indexStatus?(): DecisionIndexStatus;
}

/** A failed log write as the caller sees it: `storage_unavailable` (the request answers 503, nothing returned). */
export function notWritten(error: unknown): RiskopsError {
  if (isRiskopsError(error)) return error;
  return new RiskopsError('storage_unavailable', 'The decision log cannot be written; nothing was returned', {
    cause: error,
  });
}
