import type { FunctionDefinition } from '../src/platform/functions/index.js';
import type { Services } from '../src/platform/runtime/services.js';

/**
 * Timer `driftMonitor` (after the nightly batch; `RISKOPS_DRIFT_SCHEDULE`, UTC): merges the day's drift
 * counts, writes each use case's report and tracks PSI in Application Insights. Telemetry is flushed before
 * it returns. Also `POST /admin/functions/driftMonitor` and `riskops drift run`.
 */
export const driftMonitor: FunctionDefinition<Services> = {
  kind: 'timer',
  name: 'driftMonitor',
  schedule: '%RISKOPS_DRIFT_SCHEDULE%',
  create: (services) => async (_timer, context) => {
    // This instance's HTTP counts first, so a run right after scoring sees them.
    await services.drift.flush();
    const windows = await services.driftMonitor.run();
    for (const w of windows) {
      const report = w.reports[0];
      context.log(
        report === undefined
          ? `drift ${w.useCase} ${w.date}: ${w.status === 'no_data' ? 'nothing scored' : 'no new counts since its report'}`
          : `drift ${w.useCase} ${w.date}: ${report.rows} rows, model ${report.modelVersion}, ${report.breached ? `BREACHED (${report.flagged.join(', ')})` : 'no drift flagged'} → ${w.paths[1] ?? ''}`,
      );
    }
  },
};
