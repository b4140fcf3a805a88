import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MetricSink } from './ports.js';

/**
 * A MetricSink that appends one JSON line per metric to a file: the stand-in where no Application Insights
 * is configured (local runs). In Azure the app binds the sink to its telemetry module instead.
 */
export function createJsonLinesMetricSink(path: string, clock: () => Date = () => new Date()): MetricSink {
  let ready = false;
  return {
    trackMetric(name, value, dimensions) {
      if (!ready) {
        mkdirSync(dirname(path), { recursive: true });
        ready = true;
      }
      appendFileSync(path, `${JSON.stringify({ time: clock().toISOString(), name, value, dimensions })}\n`);
    },
  };
}
