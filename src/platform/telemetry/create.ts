import { join } from 'node:path';
import type { Settings } from '../config/index.js';
import { createAppInsightsTelemetry } from './app-insights.js';
import { createJsonLinesTelemetry } from './json-lines.js';
import type { Telemetry } from './port.js';

/** Where the JSON-lines fallback writes, under the data dir. */
export function telemetryDirectory(settings: Pick<Settings, 'RISKOPS_DATA_DIR'>): string {
  return join(settings.RISKOPS_DATA_DIR, 'telemetry');
}

/**
 * Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set, JSON lines under the data dir
 * otherwise.
 * @throws RiskopsError `invalid_settings` for a connection string without an instrumentation key.
 */
export function createTelemetry(
  settings: Pick<
    Settings,
    'APPLICATIONINSIGHTS_CONNECTION_STRING' | 'RISKOPS_DATA_DIR' | 'RISKOPS_ENVIRONMENT'
  >,
  onError?: (error: unknown) => void,
): Telemetry {
  const connectionString = settings.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (connectionString === undefined) {
    return createJsonLinesTelemetry({
      directory: telemetryDirectory(settings),
      ...(onError ? { onError } : {}),
    });
  }
  return createAppInsightsTelemetry({
    connectionString,
    storageDirectory: join(settings.RISKOPS_DATA_DIR, 'telemetry-offline'),
    disableStatsbeat: settings.RISKOPS_ENVIRONMENT !== 'azure',
    ...(onError ? { onError } : {}),
  });
}
