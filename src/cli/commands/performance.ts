/** `riskops performance <useCase>`: realized and estimated performance per scoring cohort. */
import { parseArgs } from 'node:util';
import { createDecisionReaderFromSettings } from '../../platform/audit/index.js';
import { loadSettings } from '../../platform/config/index.js';
import { RiskopsError } from '../../platform/errors/index.js';
import {
  cohortTable,
  combineSources,
  createBatchOutputSource,
  createDecisionLogSource,
  evaluatePerformance,
  registryBaselineAuc,
} from '../../platform/performance/index.js';
import { createRegistryFromSettings } from '../../platform/registry/index.js';
import { createStorageClients, storageConnectionFrom } from '../../platform/storage/index.js';
import { getUseCase, USE_CASE_NAMES, USE_CASES } from '../../use_cases/index.js';

const USAGE = `usage: riskops performance <useCase> [--as-of YYYY-MM-DD] [--lookback-days N] [--no-append] [--json]

Joins the label drops (labels/<useCase>/<date>.csv|jsonl) to the nightly batch outputs and to the decisions
returned over HTTP (the decision log) by entity id, and prints one row per scoring cohort (day × model version): realized AUC, Brier and calibration once the
use case's label maturity has passed, the confidence-based estimate before. Joined labeled rows are
written to training-data/<useCase>/labels-<date>.jsonl unless --no-append.
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'as-of': { type: 'string' },
      'lookback-days': { type: 'string' },
      'no-append': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals[0] === undefined) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const useCase = getUseCase(positionals[0]);
  if (useCase === undefined)
    throw new RiskopsError(
      'unknown_use_case',
      `Unknown use case '${positionals[0]}'. Known: ${USE_CASE_NAMES.join(', ')}`,
    );
  const asOf = values['as-of'] ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf)))
    throw new RiskopsError(
      'invalid_input',
      `--as-of must be a date like 2026-11-30, not ${asOf}\n\n${USAGE}`,
    );
  const lookback = values['lookback-days'] === undefined ? undefined : Number(values['lookback-days']);
  if (lookback !== undefined && !(Number.isInteger(lookback) && lookback >= 0))
    throw new RiskopsError('invalid_input', `--lookback-days must be a whole number ≥ 0\n\n${USAGE}`);
  const settings = loadSettings({ localSettingsPath: 'local.settings.json' });
  const storage = createStorageClients(storageConnectionFrom(settings));
  const registry = createRegistryFromSettings(settings, storage, USE_CASES);
  const report = await evaluatePerformance({
    useCase,
    source: combineSources(
      createBatchOutputSource(storage.container(settings.RISKOPS_BATCH_OUTPUT_CONTAINER)),
      createDecisionLogSource(createDecisionReaderFromSettings(settings, storage)),
    ),
    labels: storage.container(settings.RISKOPS_LABELS_CONTAINER),
    ...(values['no-append']
      ? {}
      : { trainingData: storage.container(settings.RISKOPS_TRAINING_DATA_CONTAINER) }),
    asOf,
    baselineAuc: registryBaselineAuc(registry, useCase.name),
    ...(lookback === undefined ? {} : { lookbackDays: lookback }),
  });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : cohortTable(report));
  return 0;
}
