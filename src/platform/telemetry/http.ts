import type { FunctionDefinition, HttpHandler } from '../functions/index.js';
import type { Telemetry } from './port.js';

/**
 * Wraps an HTTP function with `{useCase}` in its route so each request's duration is tracked as
 * `riskops.score.latency` (dimensions useCase — `unknown` for names outside the list — and status).
 */
export function withScoreLatency<S extends { telemetry: Telemetry; useCases: readonly { name: string }[] }>(
  definition: FunctionDefinition<S>,
): FunctionDefinition<S> {
  if (definition.kind !== 'http')
    throw new Error(`withScoreLatency wraps HTTP functions, not ${definition.name}`);
  return {
    ...definition,
    create: (services) => {
      const handler = definition.create(services);
      const known = new Set(services.useCases.map((u) => u.name));
      const wrapped: HttpHandler = async (request, context) => {
        const started = performance.now();
        let status = 500;
        try {
          const response = await handler(request, context);
          status = response.status ?? 200;
          return response;
        } finally {
          const name = request.params.useCase ?? '';
          services.telemetry.trackMetric('riskops.score.latency', performance.now() - started, {
            useCase: known.has(name) ? name : 'unknown',
            status: String(status),
          });
        }
      };
      return wrapped;
    },
  };
}
