import type { DecisionLogStatus } from '../audit/index.js';
import { degradedBy, type HealthReport } from './health.js';

/**
 * Adds the decision log's state to a health report. Records waiting in the local spool (the table was
 * unreachable, or a previous run left a journal) make the instance `degraded`, saying how many and since when:
 * they are durable on this instance's disk only until replayed.
 */
export function withDecisionLog(
  report: HealthReport,
  status: DecisionLogStatus | undefined,
  now: number,
): HealthReport & { decisionLog?: DecisionLogStatus } {
  if (status === undefined) return report;
  const waiting = status.mode === 'spooling' || status.pendingRecords > 0;
  const indexError = status.index?.lastError;
  const trouble =
    waiting || status.rejectedRecords > 0 || status.corruptSegments > 0 || indexError !== undefined;
  if (!trouble) return { ...report, decisionLog: status };
  const reasons: string[] = [];
  if (waiting)
    reasons.push(
      `decision log spooling to local disk: ${status.pendingRecords} records not yet in the table${
        status.lastError === undefined ? '' : ` (${status.lastError})`
      }`,
    );
  if (status.rejectedRecords > 0)
    reasons.push(`decision log: ${status.rejectedRecords} records refused by the table, kept in the spool`);
  if (status.corruptSegments > 0)
    reasons.push(`decision log: ${status.corruptSegments} unreadable spool segments kept aside`);
  // Decisions are committed in the blobs either way; a stale index means reads by day or entity miss some.
  if (indexError !== undefined)
    reasons.push(`decision index behind the blobs (${status.index?.pendingBytes ?? 0} bytes): ${indexError}`);
  const since = status.since === undefined ? now : Date.parse(status.since);
  return { ...degradedBy(report, reasons, now, since), decisionLog: status };
}
