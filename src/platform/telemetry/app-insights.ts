import { rootCertificates } from 'node:tls';
import type { TlsSettings } from '@azure/core-rest-pipeline';
import { TelemetryClient } from 'applicationinsights';
import { RiskopsError } from '../errors/index.js';
import { checkEvent, checkMetric, type Telemetry } from './port.js';

export interface AppInsightsTelemetryOptions {
  connectionString: string;
  /** Where the exporter keeps items it could not send yet, to retry them (offline storage). */
  storageDirectory?: string;
  /** Turns off the SDK's own usage reporting (statsbeat) to Microsoft: off outside Azure. */
  disableStatsbeat?: boolean;
  /**
   * PEM certificate(s) to trust for the ingestion endpoint beside the system roots: for an endpoint behind a
   * private CA (and the wire test's local endpoint). The SDK always sends over HTTPS.
   */
  trustedCa?: string;
  onError?: (error: unknown) => void;
}

/**
 * Telemetry through the `applicationinsights` v3 SDK (OpenTelemetry + the Azure Monitor exporter): metrics
 * become `customMetrics` (one histogram point per dimension set and export interval: sum, count, min, max),
 * events become `customEvents`. The client uses its own providers (`useGlobalProviders: false`): nothing is
 * auto-instrumented, only what the app tracks is sent. This file is the only one that knows the SDK.
 */
export function createAppInsightsTelemetry(options: AppInsightsTelemetryOptions): Telemetry {
  if (!/InstrumentationKey=/i.test(options.connectionString)) {
    throw new RiskopsError(
      'invalid_settings',
      'APPLICATIONINSIGHTS_CONNECTION_STRING must contain InstrumentationKey=… (copy it from the Application Insights resource)',
    );
  }
  if (options.disableStatsbeat) {
    // Read by the exporter when it is created; there is no option for it.
    process.env.APPLICATION_INSIGHTS_NO_STATSBEAT ??= 'true';
    process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED ??= 'true';
  }
  let client: TelemetryClient | undefined;
  const sdk = (): TelemetryClient => {
    if (client === undefined) {
      client = new TelemetryClient(options.connectionString, { useGlobalProviders: false });
      client.config.azureMonitorOpenTelemetryOptions = {
        azureMonitorExporterOptions: {
          connectionString: options.connectionString,
          disableOfflineStorage: options.storageDirectory === undefined,
          ...(options.storageDirectory === undefined ? {} : { storageDirectory: options.storageDirectory }),
          // Spread into the exporter's https.Agent options by its HTTP client.
          ...(options.trustedCa === undefined
            ? {}
            : { tlsOptions: { ca: [...rootCertificates, options.trustedCa] } as TlsSettings }),
        },
        enableLiveMetrics: false,
      };
      client.initialize();
    }
    return client;
  };
  const guarded = async (work: (c: TelemetryClient) => Promise<void>): Promise<void> => {
    if (client === undefined) return;
    try {
      await work(client);
    } catch (error) {
      options.onError?.(error);
    }
  };

  return {
    destination: 'application-insights',
    trackMetric(name, value, dimensions) {
      const properties = checkMetric(name, value, dimensions);
      sdk().trackMetric({ name, value, properties });
    },
    trackEvent(name, props) {
      const properties = checkEvent(name, props);
      sdk().trackEvent({ name, properties });
    },
    flush: () => guarded((c) => c.flush()),
    async close() {
      await guarded((c) => c.shutdown());
      client = undefined;
    },
  };
}
