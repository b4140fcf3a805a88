import type { FunctionDefinition } from '../src/platform/functions/index.js';
import { json, withHttpErrors } from '../src/platform/http/index.js';
import { healthReport, probeStorage } from '../src/platform/runtime/health.js';
import { withDecisionLog } from '../src/platform/runtime/health-decisions.js';
import { withLedger } from '../src/platform/runtime/health-ledger.js';
import type { Services } from '../src/platform/runtime/services.js';

/**
 * `GET /api/health`: blob, queue and table probed concurrently (each gives up after
 * RISKOPS_HEALTH_TIMEOUT_MS), and what each use case serves, how fresh its alias check is, and any fallback;
 * the decision log's spool and the ledger chains' last verification (cached, never waited on).
 * `200 healthy` / `200 degraded` (serving, but storage or a champion is not right, with since when) /
 * `503 unhealthy` (nothing can be served).
 */
export const health: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'health',
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  create: (services) => {
    const memory = { degradedSince: undefined as number | undefined };
    return withHttpErrors(async () => {
      const timeoutMs = services.settings.RISKOPS_HEALTH_TIMEOUT_MS;
      const [storage, models] = await Promise.all([
        probeStorage(services.storage.fast(), services.settings.RISKOPS_MODELS_CONTAINER, timeoutMs),
        services.models.serving(
          services.useCases.map((u) => u.name),
          { waitMs: timeoutMs },
        ),
      ]);
      const now = Date.now();
      const report = withLedger(
        withDecisionLog(healthReport(storage, models, memory, now), services.decisions?.status?.(), now),
        services.ledgers?.latest(),
        now,
      );
      return json(report.status === 'unhealthy' ? 503 : 200, report, { 'cache-control': 'no-store' });
    });
  },
};
