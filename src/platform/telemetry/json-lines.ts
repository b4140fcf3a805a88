import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkEvent, checkMetric, type Telemetry, type TelemetryItem } from './port.js';

export interface JsonLinesTelemetryOptions {
  /** Folder of the daily files `telemetry-YYYY-MM-DD.jsonl`. */
  directory: string;
  clock?: () => Date;
  /** A failed write (the items stay buffered for the next flush). */
  onError?: (error: unknown) => void;
}

/** The file items of `day` (YYYY-MM-DD) go to. */
export function telemetryFile(directory: string, day: string): string {
  return join(directory, `telemetry-${day}.jsonl`);
}

/**
 * Telemetry without Application Insights: the same items, one JSON object per line, in a daily file. Writes
 * are buffered and appended off the caller's path; a failed append keeps the items for the next flush.
 */
export function createJsonLinesTelemetry(options: JsonLinesTelemetryOptions): Telemetry {
  const clock = options.clock ?? (() => new Date());
  let buffer: TelemetryItem[] = [];
  let writing: Promise<void> = Promise.resolve();
  let scheduled: NodeJS.Timeout | undefined;

  const write = async (): Promise<void> => {
    const items = buffer;
    buffer = [];
    if (items.length === 0) return;
    const byDay = new Map<string, string[]>();
    for (const item of items) {
      const day = item.time.slice(0, 10);
      const lines = byDay.get(day) ?? [];
      lines.push(JSON.stringify(item));
      byDay.set(day, lines);
    }
    try {
      await mkdir(options.directory, { recursive: true });
      for (const [day, lines] of byDay)
        await appendFile(telemetryFile(options.directory, day), `${lines.join('\n')}\n`);
    } catch (error) {
      buffer = [...items, ...buffer];
      options.onError?.(error);
    }
  };
  const flush = (): Promise<void> => {
    if (scheduled !== undefined) clearTimeout(scheduled);
    scheduled = undefined;
    writing = writing.then(write);
    return writing;
  };
  const push = (item: TelemetryItem): void => {
    buffer.push(item);
    scheduled ??= setTimeout(() => void flush(), 200).unref();
  };

  return {
    destination: options.directory,
    trackMetric(name, value, dimensions) {
      const dims = checkMetric(name, value, dimensions);
      push({ time: clock().toISOString(), type: 'metric', name, value, dimensions: dims });
    },
    trackEvent(name, properties) {
      const props = checkEvent(name, properties);
      push({ time: clock().toISOString(), type: 'event', name, properties: props });
    },
    flush,
    close: flush,
  };
}
