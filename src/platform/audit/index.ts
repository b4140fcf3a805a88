/** @module Decision log: every decision durably recorded before it is returned; PII keyed-hashed. */

export {
  type BlobDecisionLogOptions,
  createBlobDecisionLog,
  decisionBlobName,
  writerIdFor,
} from './blob-log.js';
export {
  createDecisionLogFromSettings,
  createDecisionReaderFromSettings,
  spoolDir,
} from './from-settings.js';
export { createGroupCommit, type GroupCommitOptions } from './group-commit.js';
export { createDecisionIndexer, type DecisionIndexer, type DecisionIndexerOptions } from './indexer.js';
export { type Journal, type JournalOptions, openJournal } from './journal.js';
export { resolveHmacKey } from './key.js';
export { HMAC_PREFIX, pseudonymise } from './pii.js';
export { type DecisionInput, decisionRecords } from './record.js';
export {
  createSpooledDecisionLog,
  type SpooledDecisionLog,
  type SpoolOptions,
  type SpoolStatus,
} from './spool.js';
export {
  createTableDecisionLog,
  dayPartition,
  findInTable,
  type TableDecisionLogOptions,
} from './table-log.js';
export { createTableReplay, type RejectRecord, type TableReplayOptions } from './table-replay.js';
export {
  type DecisionIndexStatus,
  type DecisionLog,
  type DecisionLogStatus,
  type DecisionQuery,
  type DecisionRecord,
  DecisionRecordSchema,
  type DecisionRole,
  DecisionRoleSchema,
} from './types.js';
