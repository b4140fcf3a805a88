/** `riskops drift`: run the drift monitor now, show a window's numbers, write its HTML report. */
import { writeFile } from 'node:fs/promises';
import { loadSettings } from '../../platform/config/index.js';
import { formatDriftTable, renderDriftReport } from '../../platform/drift/index.js';
import { createDriftServices } from '../../platform/drift/services.js';
import { RiskopsError } from '../../platform/errors/index.js';
import { createRegistryFromSettings } from '../../platform/registry/index.js';
import { createStorageClients, storageConnectionFrom } from '../../platform/storage/index.js';
import { USE_CASES } from '../../use_cases/index.js';

const USAGE = `usage: riskops drift <sub-command> [options]

  run [useCase...] [--date YYYY-MM-DD]     merge the window's counts, write reports, send PSI telemetry
  show <useCase> [--date YYYY-MM-DD]       the report's numbers as a table (latest window by default) [--json]
  report <useCase> --out FILE [--date D]   write the self-contained HTML report

Windows are UTC days; run without --date evaluates today and catches up yesterday if it got new counts.
`;

function parse(args: readonly string[]): { positional: string[]; flags: Map<string, string | true> } {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!a.startsWith('--')) positional.push(a);
    else if (a === '--json' || a === '--help') flags.set(a.slice(2), true);
    else {
      const value = args[++i];
      if (value === undefined) throw new RiskopsError('invalid_input', `${a} needs a value\n\n${USAGE}`);
      flags.set(a.slice(2), value);
    }
  }
  return { positional, flags };
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parse(rest);
  if (sub === undefined || sub === 'help' || parsed.flags.has('help')) {
    process.stdout.write(USAGE);
    return sub === undefined ? 2 : 0;
  }
  const settings = loadSettings({ localSettingsPath: 'local.settings.json' });
  const storage = createStorageClients(storageConnectionFrom(settings));
  const registry = createRegistryFromSettings(settings, storage, USE_CASES);
  const drift = createDriftServices(settings, storage, USE_CASES, registry, () => undefined);
  const date = parsed.flags.get('date');
  const dateOption = typeof date === 'string' ? { date } : {};
  try {
    if (sub === 'run') {
      const windows = await drift.driftMonitor.run({
        ...(parsed.positional.length > 0 ? { useCases: parsed.positional } : {}),
        ...dateOption,
      });
      for (const w of windows) {
        const r = w.reports[0];
        const what =
          r === undefined
            ? w.status === 'no_data'
              ? 'nothing scored'
              : 'no new counts since its report'
            : `${r.rows} rows, ${r.breached ? `DRIFT (${r.flagged.join(', ')})` : 'no drift flagged'} → ${w.paths[1]}`;
        process.stdout.write(`${w.useCase} ${w.date}: ${what}\n`);
      }
      process.stdout.write(`telemetry: ${drift.telemetry.destination}\n`);
      return 0;
    }
    if (sub !== 'show' && sub !== 'report')
      throw new RiskopsError('invalid_input', `unknown sub-command ${sub}\n\n${USAGE}`);
    const useCase = parsed.positional[0];
    if (useCase === undefined) throw new RiskopsError('invalid_input', `missing <useCase>\n\n${USAGE}`);
    const reports = drift.driftMonitor.reports;
    const day = typeof date === 'string' ? date : (await reports.dates(useCase))[0];
    const report = day === undefined ? null : await reports.read(useCase, day);
    if (report === null) {
      throw new RiskopsError(
        'not_found',
        `No drift report for ${useCase}${day === undefined ? '' : ` on ${day}`}: run \`riskops drift run\` first`,
      );
    }
    if (sub === 'show') {
      process.stdout.write(
        parsed.flags.has('json') ? `${JSON.stringify(report, null, 2)}\n` : `${formatDriftTable(report)}\n`,
      );
      return 0;
    }
    const out = parsed.flags.get('out');
    if (typeof out !== 'string')
      throw new RiskopsError('invalid_input', `--out FILE is required\n\n${USAGE}`);
    await writeFile(out, renderDriftReport(report));
    process.stdout.write(`wrote ${out} (${report.useCase} ${report.date}, model ${report.modelVersion})\n`);
    return 0;
  } finally {
    await drift.drift.close();
    await drift.telemetry.close();
  }
}
