/** `riskops batch`: plan runs now, watch and list them, retry poisoned chunks, score a file offline, consume queues. */
import { createAppServices } from '../../../functions/app.js';
import type { BatchService, RunProgress, RunState } from '../../platform/batch/index.js';
import { loadSettings } from '../../platform/config/index.js';
import { RiskopsError } from '../../platform/errors/index.js';
import type { Services } from '../../platform/runtime/services.js';
import { createStorageClients, storageConnectionFrom } from '../../platform/storage/index.js';
import { USE_CASES } from '../../use_cases/index.js';
import { parseCommandArgs } from '../args.js';
import { consume, scoreLocal } from './batch-local.js';

const USAGE = `usage: riskops batch <sub-command> [options]

  run <useCase|all> [--date YYYY-MM-DD] [--force]   plan a run now (the nightlyBatch plan); --force re-runs a
                                                   completed date under a new run id (old outputs stay)
  status [runId] [--once]                          progress (chunks done, rows/s, ETA); live until it ends
  list                                             every run, newest first
  retry <runId>                                    re-enqueue the chunks that are not done (poisoned ones)
  score <file> --use-case U --out F [--model dir]  score a local .csv/.jsonl(.gz) file offline, no Azure
  consume [--lease-seconds N]                      run the queue consumers only (more instances locally)

Dates are UTC; the default is today. Storage comes from the settings (the local Azurite of \`npm start\`).
`;

function usageError(message: string): RiskopsError {
  return new RiskopsError('invalid_input', `${message}\n\n${USAGE}`);
}

async function withServices<T>(work: (services: Services, batch: BatchService) => Promise<T>): Promise<T> {
  const settings = {
    ...loadSettings({ localSettingsPath: 'local.settings.json' }),
    RISKOPS_SEED_ON_START: false,
  };
  const services = await createAppServices(settings, createStorageClients(storageConnectionFrom(settings)));
  try {
    if (services.batch === undefined) throw new RiskopsError('invalid_settings', 'No batch service');
    return await work(services, services.batch);
  } finally {
    await services.close();
  }
}

function bar(progress: RunProgress, width = 24): string {
  const total = Math.max(progress.run.chunks, 1);
  const filled = Math.round((progress.done / total) * width);
  const eta =
    progress.etaSeconds === undefined
      ? '?'
      : progress.etaSeconds === 0
        ? '0s'
        : `${Math.ceil(progress.etaSeconds)}s`;
  const poisoned = progress.poisoned.length > 0 ? `  poisoned: ${progress.poisoned.join(', ')}` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${progress.done}/${progress.run.chunks} chunks  ${progress.rowsDone} rows  ${Math.round(progress.rowsPerSecond)} rows/s  ETA ${eta}${poisoned}`;
}

function describe(run: RunState): string {
  return `${run.runId}  ${run.useCase} ${run.date}  ${run.status}  model ${run.modelVersion}  ${run.chunks} chunk(s)`;
}

async function status(batch: BatchService, runId: string | undefined, once: boolean): Promise<number> {
  const id = runId ?? (await batch.runs())[0]?.runId;
  if (id === undefined) {
    console.log('No runs yet.');
    return 0;
  }
  const live = !once && process.stdout.isTTY === true;
  let progress = await batch.progress(id);
  console.log(describe(progress.run));
  while (live && progress.run.status === 'running' && progress.poisoned.length === 0) {
    process.stdout.write(`\r${bar(progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    progress = await batch.progress(id);
  }
  if (live) process.stdout.write('\r');
  console.log(bar(progress));
  const summary = progress.run.summary;
  if (summary !== undefined) {
    console.log(
      `${summary.status}: ${summary.rows.input} rows in, ${summary.rows.scored} scored, ${summary.rows.rejected} rejected (${(summary.rejectedShare * 100).toFixed(2)}%), ${summary.rowsPerSecond} rows/s; outputs ${summary.outputs}`,
    );
    if (summary.reason !== undefined) console.log(summary.reason);
  }
  for (const chunk of progress.chunks.filter((c) => c.status === 'poisoned'))
    console.log(
      `chunk ${chunk.chunk} (${chunk.file}) poisoned after ${chunk.attempts} attempts: ${chunk.lastError ?? ''}`,
    );
  if (progress.poisoned.length > 0) console.log(`Retry with: riskops batch retry ${id}`);
  return progress.run.status === 'failed' ? 1 : 0;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '--help') {
    process.stdout.write(USAGE);
    return sub === undefined ? 2 : 0;
  }
  const parsed = parseCommandArgs(
    rest,
    {
      date: { type: 'string' },
      force: { type: 'boolean' },
      once: { type: 'boolean' },
      'use-case': { type: 'string' },
      out: { type: 'string' },
      model: { type: 'string' },
      'lease-seconds': { type: 'string' },
      help: { type: 'boolean' },
    },
    USAGE,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  switch (sub) {
    case 'run': {
      const target = positionals[0];
      if (target === undefined) throw usageError('batch run needs a use case or all');
      const names = target === 'all' ? USE_CASES.map((u) => u.name) : [target];
      const date = values.date ?? new Date().toISOString().slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw usageError(`--date must be YYYY-MM-DD (got ${date})`);
      return withServices(async (_services, batch) => {
        for (const name of names) {
          const plan = await batch.plan(name, date, { force: values.force === true });
          console.log(
            plan.planned
              ? `planned ${describe(plan.run)}`
              : `unchanged ${describe(plan.run)} (use --force to re-run)`,
          );
          for (const skipped of plan.skippedFiles)
            console.log(`  skipped ${skipped} (not .csv/.jsonl/.ndjson[.gz])`);
        }
        return 0;
      });
    }
    case 'status':
      return withServices((_s, batch) => status(batch, positionals[0], values.once === true));
    case 'list':
      return withServices(async (_s, batch) => {
        const runs = await batch.runs();
        if (runs.length === 0) console.log('No runs yet.');
        for (const r of runs) {
          const rows =
            r.summary === undefined ? '' : `  ${r.summary.rows.scored}/${r.summary.rows.input} scored`;
          console.log(`${describe(r)}${rows}`);
        }
        return 0;
      });
    case 'retry': {
      const runId = positionals[0];
      if (runId === undefined) throw usageError('batch retry needs a run id');
      return withServices(async (_s, batch) => {
        const chunks = await batch.retry(runId);
        console.log(
          chunks.length === 0
            ? `Run ${runId}: every chunk is done`
            : `Run ${runId}: re-enqueued chunk(s) ${chunks.join(', ')}`,
        );
        return 0;
      });
    }
    case 'score': {
      const file = positionals[0];
      const useCase = values['use-case'];
      if (file === undefined || useCase === undefined || values.out === undefined)
        throw usageError('batch score needs <file> --use-case U --out F');
      return scoreLocal({
        file,
        useCase,
        out: values.out,
        ...(values.model === undefined ? {} : { model: values.model }),
      });
    }
    case 'consume': {
      const lease = Number(values['lease-seconds'] ?? 600);
      if (!Number.isInteger(lease) || lease < 1 || lease > 604_800)
        throw usageError(
          `--lease-seconds must be a whole number of seconds from 1 to 604800 (got ${values['lease-seconds']})`,
        );
      return consume(lease);
    }
    default:
      throw usageError(`unknown sub-command ${sub}`);
  }
}
