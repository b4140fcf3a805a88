import { z } from 'zod';
import { RiskopsError } from '../src/platform/errors/index.js';
import type { FunctionDefinition } from '../src/platform/functions/index.js';
import { json, parseOrThrow, readJson, withHttpErrors } from '../src/platform/http/index.js';
import type { Services } from '../src/platform/runtime/services.js';
import { scoreValidated, validateRecords } from '../src/platform/scoring/index.js';

const MAX_RECORDS = 1000;

const ScoreQuery = z.object({ version: z.string().min(1).optional() });
const BatchBody = z.object({ records: z.array(z.unknown()).min(1).max(MAX_RECORDS) });

/** `POST /api/score/{useCase}`: one record (a JSON object) or `{ "records": [...] }` (up to 1000). */
export const score: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'score',
  route: 'score/{useCase}',
  methods: ['POST'],
  authLevel: 'function',
  create: (services) =>
    withHttpErrors(async (request, context) => {
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
      const model = await services.models.get(
        useCase.name,
        query.version === undefined ? {} : { version: query.version },
      );
      const scores = await scoreValidated(
        useCase,
        model,
        valid.map((v) => v.record),
      );
      services.drift.record({
        useCase,
        model,
        records: valid.map((v) => v.record),
        probabilities: scores.map((s) => s.probability),
      });
      const common = { useCase: useCase.name, modelVersion: model.version, requestId: context.invocationId };
      const headers = { 'x-request-id': context.invocationId, 'x-model-version': model.version };
      return isBatch
        ? json(200, { ...common, results: scores }, headers)
        : json(200, { ...common, ...scores[0] }, headers);
    }),
};
