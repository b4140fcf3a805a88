import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TelemetryItem } from './port.js';

/** The last `count` items of the JSON-lines files in `directory`, oldest first. */
export function readTelemetryTail(directory: string, count: number): TelemetryItem[] {
  if (!existsSync(directory)) return [];
  const files = readdirSync(directory)
    .filter((f) => /^telemetry-\d{4}-\d{2}-\d{2}\.jsonl$/.test(f))
    .sort()
    .reverse();
  const items: TelemetryItem[] = [];
  for (const file of files) {
    const lines = readFileSync(join(directory, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const parsed = lines.map((line) => JSON.parse(line) as TelemetryItem);
    items.unshift(...parsed);
    if (items.length >= count) break;
  }
  return items.slice(-count);
}

/** One line per item, as `riskops telemetry tail` prints it. */
export function formatTelemetryItem(item: TelemetryItem): string {
  const pairs = Object.entries(item.type === 'metric' ? item.dimensions : item.properties)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return item.type === 'metric'
    ? `${item.time}  metric ${item.name} = ${Number(item.value.toPrecision(6))}  ${pairs}`
    : `${item.time}  event  ${item.name}  ${pairs}`;
}
