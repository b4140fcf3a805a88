import type { Settings } from '../config/index.js';
import type { Registry } from '../registry/index.js';
import type { StorageClients } from '../storage/index.js';
import { createTelemetry, type Telemetry } from '../telemetry/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { createDriftMonitor, type DriftMonitor } from './monitor.js';
import { createDriftRecorder, type DriftRecorder } from './recorder.js';
import type { DriftReport } from './report.js';
import { createBlobReportStore } from './report-store.js';
import { createTableCountStore } from './store.js';

const WARNING_INTERVAL_MS = 60_000;

/** Reports background failures (count flushes, telemetry sends) as process warnings, at most once a minute each. */
function warner(code: string): (error: unknown) => void {
  let last = 0;
  return (error) => {
    if (Date.now() - last < WARNING_INTERVAL_MS) return;
    last = Date.now();
    process.emitWarning(error instanceof Error ? error.message : String(error), { code });
  };
}

/** The telemetry, drift recorder and drift monitor the composition root adds to the services. */
export function createDriftServices(
  settings: Settings,
  storage: StorageClients,
  useCases: readonly AnyUseCase[],
  registry: Pick<Registry, 'show'>,
  onReport: (report: DriftReport) => Promise<void> | void,
): { telemetry: Telemetry; drift: DriftRecorder; driftMonitor: DriftMonitor } {
  const telemetry = createTelemetry(settings, warner('RISKOPS_TELEMETRY'));
  const counts = createTableCountStore(storage.table(settings.RISKOPS_DRIFT_COUNTS_TABLE));
  const drift = createDriftRecorder({
    useCases,
    store: counts,
    telemetry,
    flushMs: settings.RISKOPS_DRIFT_FLUSH_MS,
    onError: warner('RISKOPS_DRIFT_COUNTS'),
  });
  const driftMonitor = createDriftMonitor({
    useCases,
    counts,
    reports: createBlobReportStore(storage.container(settings.RISKOPS_DRIFT_REPORTS_CONTAINER)),
    manifest: async (useCase, version) => (await registry.show(useCase, version)).manifest,
    telemetry,
    onReport,
  });
  return { telemetry, drift, driftMonitor };
}
