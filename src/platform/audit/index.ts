/** @module Decision log: every decision durably recorded before it is returned; PII keyed-hashed. */
export { createGroupCommit, type GroupCommitOptions } from './group-commit.js';
export { resolveHmacKey } from './key.js';
export { HMAC_PREFIX, pseudonymise } from './pii.js';
export { type DecisionInput, decisionRecords } from './record.js';
export { createTableDecisionLog, dayPartition, type TableDecisionLogOptions } from './table-log.js';
export {
  type DecisionLog,
  type DecisionQuery,
  type DecisionRecord,
  DecisionRecordSchema,
  type DecisionRole,
  DecisionRoleSchema,
} from './types.js';
