import { RiskopsError } from '../errors/index.js';
import {
  EVENTS,
  type EventDefinition,
  type EventName,
  METRICS,
  type MetricDefinition,
  type MetricName,
} from './names.js';

export type Dimensions = Readonly<Record<string, string>>;
export type EventProperties = Readonly<Record<string, string | number | boolean>>;

/** One item as the JSON-lines adapter writes it and `riskops telemetry tail` prints it. */
export type TelemetryItem =
  | { time: string; type: 'metric'; name: MetricName; value: number; dimensions: Record<string, string> }
  | { time: string; type: 'event'; name: EventName; properties: Record<string, string> };

/**
 * Where the app's metrics and events go: Application Insights, or JSON lines under the data dir. Tracking is
 * synchronous and buffered (never on a request's critical path); `flush` sends what is buffered.
 */
export interface Telemetry {
  /** Where items go, for logs: `application-insights` or the JSON-lines file. */
  readonly destination: string;
  /** @throws RiskopsError `invalid_input` for an unknown name, a missing or undeclared dimension, a non-finite value. */
  trackMetric(name: MetricName, value: number, dimensions: Dimensions): void;
  /** @throws RiskopsError `invalid_input` for an unknown name or a missing or undeclared property. */
  trackEvent(name: EventName, properties: EventProperties): void;
  /** Sends everything buffered. Never rejects: a failed send is reported to the adapter's `onError`. */
  flush(): Promise<void>;
  /** Flushes and releases the SDK. */
  close(): Promise<void>;
}

function checkKeys(
  what: string,
  keys: readonly string[],
  definition: MetricDefinition | EventDefinition,
  required: readonly string[],
): void {
  const allowed = new Set([...required, ...(definition.optional ?? [])]);
  const missing = required.filter((key) => !keys.includes(key));
  const unknown = keys.filter((key) => !allowed.has(key));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      unknown.length > 0
        ? `undeclared ${unknown.join(', ')} (declare it in src/platform/telemetry/names.ts)`
        : '',
    ].filter((p) => p !== '');
    throw new RiskopsError('invalid_input', `${what}: ${parts.join('; ')}`);
  }
}

/** Checks a metric against the list and returns its dimensions as plain strings. */
export function checkMetric(name: string, value: number, dimensions: Dimensions): Record<string, string> {
  const definition = (METRICS as Record<string, MetricDefinition>)[name];
  if (definition === undefined)
    throw new RiskopsError(
      'invalid_input',
      `Unknown metric '${name}': add it to src/platform/telemetry/names.ts`,
    );
  if (!Number.isFinite(value))
    throw new RiskopsError('invalid_input', `Metric ${name}: value must be a finite number, got ${value}`);
  const present = Object.keys(dimensions).filter(
    (key) => dimensions[key] !== undefined && dimensions[key] !== '',
  );
  checkKeys(`Metric ${name} dimensions`, present, definition, definition.dimensions);
  return Object.fromEntries(present.map((key) => [key, String(dimensions[key])]));
}

/** Checks an event against the list and returns its properties as strings. */
export function checkEvent(name: string, properties: EventProperties): Record<string, string> {
  const definition = (EVENTS as Record<string, EventDefinition>)[name];
  if (definition === undefined)
    throw new RiskopsError(
      'invalid_input',
      `Unknown event '${name}': add it to src/platform/telemetry/names.ts`,
    );
  const present = Object.keys(properties).filter((key) => properties[key] !== undefined);
  checkKeys(`Event ${name} properties`, present, definition, definition.properties);
  return Object.fromEntries(present.map((key) => [key, String(properties[key])]));
}
