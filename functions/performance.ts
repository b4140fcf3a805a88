import type { FunctionDefinition } from '../src/platform/functions/index.js';
import { runPerformanceJob } from '../src/platform/performance/index.js';
import type { Services } from '../src/platform/runtime/services.js';

/** Daily: realized and estimated AUC per scoring cohort of every use case, joined labels to training-data. */
export const performanceMonitor: FunctionDefinition<Services> = {
  kind: 'timer',
  name: 'performanceMonitor',
  schedule: '0 30 4 * * *',
  create: (services) => async (_timer, context) => {
    const asOf = new Date().toISOString().slice(0, 10);
    for (const report of await runPerformanceJob(services.performance, asOf)) {
      const realized = report.cohorts.filter((c) => c.kind === 'realized').length;
      context.log(
        `${report.useCase}: ${report.cohorts.length} cohorts (${realized} realized), ${report.labels.rows} labels, ${report.labels.rejected} rejected`,
      );
    }
  },
};
