import type { FunctionDefinition } from '../src/platform/functions/index.js';
import { json, withHttpErrors } from '../src/platform/http/index.js';
import type { Services } from '../src/platform/runtime/services.js';

const PROBE_TIMEOUT_MS = 3000;

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
          PROBE_TIMEOUT_MS,
        ).unref(),
      ),
    ]);
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      error: error instanceof Error ? (error.message.split('\n')[0] ?? 'unreachable') : 'unreachable',
    };
  }
}

/** `GET /api/health`: storage reachability (blob, queue, table) and the model each use case serves. */
export const health: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'health',
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  create: (services) =>
    withHttpErrors(async () => {
      const { storage } = services;
      const [blob, queue, table] = await Promise.all([
        probe(() => storage.container(services.settings.RISKOPS_MODELS_CONTAINER).exists()),
        probe(() => storage.queueService().getProperties()),
        probe(() => storage.tableService().getProperties()),
      ]);
      const models = await services.models.serving(services.useCases.map((u) => u.name));
      const storageOk = blob.ok && queue.ok && table.ok;
      const modelsOk = Object.values(models).every((m) => m.version !== null);
      const status = storageOk && modelsOk ? 'healthy' : storageOk ? 'degraded' : 'unhealthy';
      return json(status === 'unhealthy' ? 503 : 200, { status, storage: { blob, queue, table }, models });
    }),
};
