import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createAppServices } from '../../functions/app.js';
import { loadSettings } from '../../src/platform/config/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { scoreValidated } from '../../src/platform/scoring/index.js';
import {
  type AnyUseCase,
  type GeneratorOptions,
  requireGenerator,
} from '../../src/platform/use-case/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

/** The app's services on the test Azurite, with the shipped models seeded, unique tables and a temp data dir. */
export async function driftServices(env: Record<string, string> = {}): Promise<Services> {
  const settings = loadSettings({
    env: {
      AzureWebJobsStorage: inject('azuriteConnectionString'),
      RISKOPS_MODELS_CONTAINER: uniqueName('models'),
      RISKOPS_LEDGER_TABLE: uniqueName('ledger'),
      RISKOPS_DRIFT_COUNTS_TABLE: uniqueName('counts'),
      RISKOPS_DRIFT_REPORTS_CONTAINER: uniqueName('reports'),
      RISKOPS_DATA_DIR: mkdtempSync(join(tmpdir(), 'riskops-drift-')),
      ...env,
    },
  });
  return createAppServices(settings, testStorage());
}

/** Validated records of a generated day (the label dropped) and the champion's probabilities for them. */
export async function scoredDay(
  services: Services,
  useCase: AnyUseCase,
  options: GeneratorOptions,
): Promise<{ records: Record<string, unknown>[]; probabilities: number[] }> {
  const records = requireGenerator(useCase)(options).map((row) => useCase.schema.parse(row));
  const model = await services.models.get(useCase.name);
  const scores = await scoreValidated(useCase, model, records);
  return { records, probabilities: scores.map((s) => s.probability) };
}
