/** @module Telemetry: the one list of metric and event names, and where they go (Application Insights or JSON lines). */
export { type AppInsightsTelemetryOptions, createAppInsightsTelemetry } from './app-insights.js';
export { createTelemetry, telemetryDirectory } from './create.js';
export { withScoreLatency } from './http.js';
export { createJsonLinesTelemetry, type JsonLinesTelemetryOptions, telemetryFile } from './json-lines.js';
export * from './names.js';
export {
  checkEvent,
  checkMetric,
  type Dimensions,
  type EventProperties,
  type Telemetry,
  type TelemetryItem,
} from './port.js';
export { formatTelemetryItem, readTelemetryTail } from './tail.js';
