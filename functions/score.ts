import { z } from 'zod';
import { RiskopsError } from '../src/platform/errors/index.js';
import type { FunctionDefinition } from '../src/platform/functions/index.js';
import { json, parseOrThrow, readJson, withHttpErrors } from '../src/platform/http/index.js';
import { parseClientPrincipal, VersionIdSchema } from '../src/platform/registry/index.js';
import type { Services } from '../src/platform/runtime/services.js';
import {
  createDecisionEngine,
  MAX_SCORE_RECORDS,
  type ServedModel,
  validateRecords,
} from '../src/platform/scoring/index.js';

export const MAX_RECORDS = MAX_SCORE_RECORDS;

/** `?version=`: pin a registered version (kept as its own schema so its format can be tightened alone). */
export const VersionQuery = VersionIdSchema.optional();
export const ScoreQuery = z.object({
  version: VersionQuery,
  explain: z.enum(['full']).optional().describe('`full`: every input contribution, not only the top reasons'),
});
export const BatchBody = z.object({ records: z.array(z.unknown()).min(1).max(MAX_RECORDS) });

/**
 * Who called, for the decision log: the platform-validated Easy Auth principal when present (never the bare
 * `x-ms-client-principal-name` header, which a caller can set), else how the call was authorised.
 */
function callerOf(headers: { get(name: string): string | null }, query: URLSearchParams): string {
  const header = headers.get('x-ms-client-principal');
  if (header !== null && header.trim() !== '') {
    try {
      const principal = parseClientPrincipal(header.trim());
      return `${principal.name} (${principal.id})`;
    } catch {
      return 'invalid-principal';
    }
  }
  if (headers.get('x-functions-key') !== null || query.has('code')) return 'function-key';
  return 'anonymous';
}

/** `POST /api/score/{useCase}`: one record (a JSON object) or `{ "records": [...] }` (up to 1000). */
export const score: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'score',
  route: 'score/{useCase}',
  methods: ['POST'],
  authLevel: 'function',
  create: (services) => {
    const engine = createDecisionEngine({
      models: services.models,
      challenger: async (useCase) =>
        (await services.registry.alias(useCase, 'challenger'))?.state.version ?? null,
      log: services.decisions,
      hmacKey: services.hmacKey,
      shadow: services.settings.RISKOPS_SHADOW_USE_CASES,
      canary: services.settings.RISKOPS_CANARY_SHARES,
      refreshMs: services.settings.RISKOPS_ALIAS_REFRESH_MS,
      microBatch: services.settings.RISKOPS_SCORE_MICROBATCH,
      observe: (observation) => services.observeScores?.(observation),
      onBackgroundError: (what, error) => {
        process.emitWarning(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    });
    return withHttpErrors(async (request, context) => {
      const name = request.params.useCase ?? '';
      const useCase = services.useCases.find((u) => u.name === name);
      if (useCase === undefined) {
        throw new RiskopsError(
          'unknown_use_case',
          `Unknown use case '${name}'. Known: ${services.useCases.map((u) => u.name).join(', ')}`,
        );
      }
      const query = parseOrThrow(ScoreQuery, Object.fromEntries(request.query.entries()), 'query');
      const body = await readJson(request, services.settings.RISKOPS_MAX_REQUEST_BYTES);
      const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'records' in body;
      const inputs = isBatch ? parseOrThrow(BatchBody, body, 'request body').records : [body];

      const { valid, invalid } = validateRecords(useCase, inputs);
      if (invalid.length > 0) {
        const issues = invalid.flatMap(({ index, issues }) =>
          issues.map((issue) => ({
            path: isBatch ? `records.${index}.${issue.path}` : issue.path,
            message: issue.message,
          })),
        );
        throw new RiskopsError(
          'invalid_input',
          `Invalid ${useCase.name} record${isBatch ? 's' : ''}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          { issues },
        );
      }
      const { decisions, servedBy } = await engine.decide({
        useCase,
        records: valid.map((v) => v.record),
        requestId: context.invocationId,
        caller: callerOf(request.headers, request.query),
        version: query.version,
        full: query.explain === 'full',
      });
      const common = {
        useCase: useCase.name,
        modelVersion: servedBy.version,
        requestId: context.invocationId,
      };
      const headers: Record<string, string> = {
        'x-request-id': context.invocationId,
        'x-model-version': servedBy.version,
      };
      // An earlier version stands in for a champion that fails its checks: say so (health says why).
      const fallback = (servedBy as ServedModel).fallback;
      if (fallback !== undefined) {
        headers['x-model-fallback'] = `champion=${fallback.champion ?? 'unknown'}; reason=${fallback.code}`;
      }
      return isBatch
        ? json(200, { ...common, results: decisions }, headers)
        : json(200, { ...common, ...decisions[0] }, headers);
    });
  },
};
