/** `riskops demo drift`: the whole retraining loop on a running local host, step by step, with timings. */
import { parseArgs } from 'node:util';
import { createAppServices } from '../../../functions/app.js';
import { loadSettings } from '../../platform/config/index.js';
import { isRiskopsError, RiskopsError } from '../../platform/errors/index.js';
import { readAzuriteEndpoints } from '../../platform/host/index.js';
import { createStorageClients } from '../../platform/storage/index.js';
import { cliStorageConnection } from '../storage.js';
import { type DemoContext, DRIFT_STEPS, type StepFailure } from './demo-drift.js';

const USAGE = `usage: riskops demo drift [options]

  Shows the retraining loop on the running local host (\`npm start\`): a drifted day of input for two
  consecutive days → the nightly batch of each → the drift monitor (k of n windows) → the retrain request
  on the retrain-requests queue → the challenger the host's retrain trigger registers, with its receipt →
  promote it to champion → roll it back. Each step prints one line and its time.

  --use-case U          default late_payment (needs a generator)
  --date YYYY-MM-DD     the second drifted day (default: yesterday, UTC); the first is the day before
  --rows N              input rows per day (default 1000; at least the use case's drift.minRows)
  --shift f=sd[,f=sd]   the data drift, in standard deviations per field (default amount=2,customer_tenure_months=2
                        for late_payment, else the first two numeric fields)
  --timeout-seconds N   give up after N seconds (default 110)

The actor is RISKOPS_ACTOR, else your OS user name. Exit code 1 names the step that failed and why.
`;

const DAY_MS = 86_400_000;

function usageError(message: string): RiskopsError {
  return new RiskopsError('invalid_input', `${message}\n\n${USAGE}`);
}

function parseShift(text: string): Record<string, number> {
  const shift: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [field = '', value = ''] = part.split('=');
    const sd = Number(value);
    if (field.trim() === '' || value.trim() === '' || !Number.isFinite(sd))
      throw usageError(`--shift must be field=sd[,field=sd] (got '${part}')`);
    shift[field.trim()] = sd;
  }
  return shift;
}

function options(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'use-case': { type: 'string' },
      date: { type: 'string' },
      rows: { type: 'string' },
      shift: { type: 'string' },
      'timeout-seconds': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const date = values.date ?? new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date)))
    throw usageError(`--date must be YYYY-MM-DD (got ${date})`);
  const rows = Number(values.rows ?? 1000);
  if (!Number.isInteger(rows) || rows < 1 || rows > 200_000)
    throw usageError(`--rows must be a whole number from 1 to 200000 (got ${values.rows})`);
  const timeout = Number(values['timeout-seconds'] ?? 110);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw usageError(`--timeout-seconds must be a positive number (got ${values['timeout-seconds']})`);
  const first = new Date(Date.parse(date) - DAY_MS).toISOString().slice(0, 10);
  return {
    help: values.help === true,
    positionals,
    useCase: values['use-case'] ?? 'late_payment',
    days: [first, date] as const,
    rows,
    shift: values.shift === undefined ? undefined : parseShift(values.shift),
    deadline: Date.now() + timeout * 1000,
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '--help') {
    process.stdout.write(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'drift') throw usageError(`unknown demo ${sub}`);
  const o = options(rest);
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const settings = {
    ...loadSettings({ localSettingsPath: 'local.settings.json' }),
    RISKOPS_SEED_ON_START: false,
  };
  if (settings.RISKOPS_ENVIRONMENT === 'azure')
    throw new RiskopsError('invalid_settings', 'riskops demo drift runs against a local host only');
  const running = readAzuriteEndpoints(settings.RISKOPS_DATA_DIR);
  if (running === undefined && settings.AzureWebJobsStorage === undefined)
    throw new RiskopsError(
      'not_found',
      `No running riskops start recorded in ${settings.RISKOPS_DATA_DIR}: start the host first (npm start)`,
    );
  const services = await createAppServices(settings, createStorageClients(cliStorageConnection(settings)));
  const started = Date.now();
  const context: DemoContext = { services, ...o, started, values: {} };
  process.stdout.write(
    `demo drift: ${o.useCase}, days ${o.days.join(' and ')}, ${o.rows} rows a day${running === undefined ? '' : `, host pid ${running.hostPid}`}\n`,
  );
  try {
    for (const [i, step] of DRIFT_STEPS.entries()) {
      const t0 = Date.now();
      try {
        const lines = await step.run(context);
        process.stdout.write(`[${i + 1}/${DRIFT_STEPS.length}] ${step.name} (${seconds(Date.now() - t0)})\n`);
        for (const line of lines) process.stdout.write(`      ${line}\n`);
      } catch (error) {
        const why = isRiskopsError(error)
          ? `${error.code}: ${error.message}`
          : error instanceof Error
            ? error.message
            : String(error);
        const failure = error as Partial<StepFailure>;
        process.stdout.write(
          `[${i + 1}/${DRIFT_STEPS.length}] ${step.name} FAILED (${seconds(Date.now() - t0)})\n`,
        );
        for (const line of failure.lines ?? []) process.stdout.write(`      ${line}\n`);
        process.stderr.write(`demo drift failed at step ${i + 1} (${step.name}): ${why}\n`);
        return 1;
      }
    }
    process.stdout.write(`demo drift: the loop closed in ${seconds(Date.now() - started)}\n`);
    return 0;
  } finally {
    await services.close();
  }
}
