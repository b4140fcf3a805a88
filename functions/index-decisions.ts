import type { FunctionDefinition } from '../src/platform/functions/index.js';
import type { Services } from '../src/platform/runtime/services.js';

/**
 * Timer `indexDecisions` (`RISKOPS_AUDIT_INDEX_SCHEDULE`): with blob commits (RISKOPS_AUDIT_COMMIT=blob), brings
 * the decision log's table index (reads by day and by entity) up to date with the day blobs. `riskops audit
 * find` catches it up too, so a read never misses a committed decision. Also `POST /admin/functions/indexDecisions`.
 */
export const indexDecisions: FunctionDefinition<Services> = {
  kind: 'timer',
  name: 'indexDecisions',
  schedule: '%RISKOPS_AUDIT_INDEX_SCHEDULE%',
  create: (services) => async (_timer, context) => {
    const index = services.decisions?.index;
    if (index === undefined) return; // table commits: the rows are written on the response path
    const status = await index();
    if (status.lastError !== undefined) throw new Error(`decision index: ${status.lastError}`);
    context.log(
      `decision index: ${status.indexedRecords} records indexed since start, ${status.pendingBytes} bytes pending`,
    );
  },
};
