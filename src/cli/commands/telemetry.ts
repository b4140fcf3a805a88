/** `riskops telemetry tail`: the metrics and events written as JSON lines (no Application Insights configured). */
import { loadSettings } from '../../platform/config/index.js';
import {
  formatTelemetryItem,
  readTelemetryTail,
  telemetryDirectory,
} from '../../platform/telemetry/index.js';

const USAGE = `usage: riskops telemetry tail [-n N] [--follow] [--json]

Prints the last N (default 20) metrics and events from RISKOPS_DATA_DIR/telemetry/*.jsonl, where the app
writes them when APPLICATIONINSIGHTS_CONNECTION_STRING is not set. --follow keeps printing new ones.
`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'tail') {
    process.stdout.write(USAGE);
    return sub === undefined || sub === 'help' ? 0 : 2;
  }
  const nIndex = rest.findIndex((a) => a === '-n' || a === '--lines');
  const count = nIndex === -1 ? 20 : Number(rest[nIndex + 1]);
  if (!Number.isInteger(count) || count <= 0) {
    process.stderr.write(`-n needs a positive whole number\n\n${USAGE}`);
    return 2;
  }
  const json = rest.includes('--json');
  const settings = loadSettings({ localSettingsPath: 'local.settings.json' });
  const directory = telemetryDirectory(settings);
  const print = (items: ReturnType<typeof readTelemetryTail>) => {
    for (const item of items)
      process.stdout.write(`${json ? JSON.stringify(item) : formatTelemetryItem(item)}\n`);
  };
  let seen = readTelemetryTail(directory, count);
  if (seen.length === 0) process.stderr.write(`no telemetry in ${directory} yet\n`);
  print(seen);
  if (!rest.includes('--follow')) return 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const latest = readTelemetryTail(directory, 1000);
    const last = seen.at(-1);
    const start =
      last === undefined ? 0 : latest.findLastIndex((i) => JSON.stringify(i) === JSON.stringify(last)) + 1;
    const fresh = latest.slice(start);
    print(fresh);
    if (fresh.length > 0) seen = fresh;
  }
}
