import { type BatchService, utcDate } from '../src/platform/batch/index.js';
import { RiskopsError } from '../src/platform/errors/index.js';
import type { FunctionDefinition } from '../src/platform/functions/index.js';
import type { Services } from '../src/platform/runtime/services.js';

function batchOf(services: Services): BatchService {
  if (services.batch === undefined)
    throw new RiskopsError('invalid_settings', 'The batch service is not configured');
  return services.batch;
}

/** Timer `nightlyBatch`: plans today's (UTC) run of every use case; each chunk becomes a `score-chunks` message. */
export const nightlyBatch: FunctionDefinition<Services> = {
  kind: 'timer',
  name: 'nightlyBatch',
  schedule: '%RISKOPS_BATCH_SCHEDULE%',
  create: (services) => async (_timer, context) => {
    const batch = batchOf(services);
    const date = utcDate(new Date());
    const failures: string[] = [];
    for (const useCase of services.useCases) {
      try {
        const plan = await batch.plan(useCase.name, date);
        context.log(
          plan.planned
            ? `Planned ${plan.run.runId}: ${plan.run.chunks} chunk(s) from ${plan.run.files} file(s), model ${plan.run.modelVersion}`
            : `${useCase.name} ${date} already has run ${plan.run.runId} (${plan.run.status}); nothing planned`,
        );
      } catch (error) {
        failures.push(`${useCase.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length > 0) throw new RiskopsError('internal', `Planning failed for ${failures.join('; ')}`);
  },
};

/** Queue `scoreChunk`: scores one chunk; the last chunk of a run writes its `_SUCCESS.json`. */
export const scoreChunk: FunctionDefinition<Services> = {
  kind: 'storageQueue',
  name: 'scoreChunk',
  queueName: '%RISKOPS_BATCH_CHUNK_QUEUE%',
  connection: 'AzureWebJobsStorage',
  create: (services) => async (message, context) => {
    const batch = batchOf(services);
    try {
      const outcome = await batch.scoreChunk(message);
      if (outcome.completion?.wrote === true) {
        const s = outcome.completion.summary;
        context.log(
          `Run ${s.runId} ${s.status}: ${s.rows.scored} scored, ${s.rows.rejected} rejected of ${s.rows.input}`,
        );
      }
    } catch (error) {
      await batch
        .chunkFailed(message, context, error)
        .catch((e: unknown) => context.warn(`Could not record the failure: ${String(e)}`));
      throw error;
    }
  },
};

/** Queue `scoreEvents`: scores event records to `score-results`; a malformed message goes to `score-requests-poison`. */
export const scoreEvents: FunctionDefinition<Services> = {
  kind: 'storageQueue',
  name: 'scoreEvents',
  queueName: '%RISKOPS_EVENTS_QUEUE%',
  connection: 'AzureWebJobsStorage',
  create: (services) => async (message, context) => {
    const id = (context.triggerMetadata as { id?: unknown } | undefined)?.id;
    const outcome = await batchOf(services).scoreEvent(
      message,
      typeof id === 'string' ? id : context.invocationId,
    );
    if (outcome.status === 'poisoned')
      context.warn(`Malformed event message moved to score-requests-poison: ${outcome.reason}`);
  },
};

export const BATCH_FUNCTIONS = [nightlyBatch, scoreChunk, scoreEvents] as const;
