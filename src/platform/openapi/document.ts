import { z } from 'zod';
import {
  BatchScoreResponseSchema,
  MAX_SCORE_RECORDS,
  SingleScoreResponseSchema,
} from '../scoring/response.js';
import type { AnyUseCase } from '../use-case/index.js';
import { ErrorBodySchema, HealthBodySchema } from './schemas.js';

type Json = Record<string, unknown>;

/** JSON Schema 2020-12 (the dialect of OpenAPI 3.1) of a zod schema, without its `$schema` line. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as Json;
  return rest;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

function errors(...statuses: number[]): Json {
  const text: Record<number, string> = {
    400: 'Malformed request: each bad field is named in `issues`',
    401: 'Missing or wrong key',
    404: 'Unknown use case or version',
    413: 'Body larger than RISKOPS_MAX_REQUEST_BYTES',
    415: 'Body is not application/json',
    422: 'The model does not fit the use case',
    503: 'No servable model, or the decision log cannot be written (no decision is returned)',
  };
  return Object.fromEntries(
    statuses.map((s) => [
      String(s),
      { description: text[s] ?? 'Error', content: { 'application/json': { schema: ref('Error') } } },
    ]),
  );
}

/** The API version in the document; bump it with the response contract. */
export const API_VERSION = '1.0.0';

export interface OpenApiOptions {
  title?: string;
  version?: string;
  /** Limit of `records` in a batch request. */
  maxRecords?: number;
}

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas that validate requests and
 * shape responses: one scoring path per use case with its exact record schema.
 */
export function buildOpenApi(useCases: readonly AnyUseCase[], opts: OpenApiOptions = {}): Json {
  const options = { maxRecords: MAX_SCORE_RECORDS, version: API_VERSION, ...opts };
  const paths: Json = {};
  const schemas: Json = {
    Error: schemaOf(ErrorBodySchema, 'output'),
    ScoreResponse: schemaOf(SingleScoreResponseSchema, 'output'),
    BatchScoreResponse: schemaOf(BatchScoreResponseSchema, 'output'),
    Health: schemaOf(HealthBodySchema, 'output'),
  };
  const security = [{ functionKey: [] }, { functionKeyQuery: [] }];
  for (const useCase of useCases) {
    const record = `${useCase.name}Record`;
    schemas[record] = { ...schemaOf(useCase.schema, 'input'), description: useCase.description };
    paths[`/api/score/${useCase.name}`] = {
      post: {
        operationId: `score_${useCase.name}`,
        summary: `Score ${useCase.title.toLowerCase()}: one record, or up to ${options.maxRecords}`,
        description: `${useCase.description} Every 200 decision is in the decision log before the response is sent.`,
        security,
        parameters: [
          {
            name: 'version',
            in: 'query',
            required: false,
            description: 'Pin a registered version (no canary, no shadow)',
            schema: { type: 'string' },
          },
          {
            name: 'explain',
            in: 'query',
            required: false,
            description: '`full`: every input contribution, not only the top four reasons',
            schema: { type: 'string', enum: ['full'] },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                oneOf: [
                  ref(record),
                  {
                    type: 'object',
                    properties: {
                      records: {
                        type: 'array',
                        items: ref(record),
                        minItems: 1,
                        maxItems: options.maxRecords,
                      },
                    },
                    required: ['records'],
                  },
                ],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The decision (one record) or decisions in request order (`records`)',
            content: {
              'application/json': { schema: { oneOf: [ref('ScoreResponse'), ref('BatchScoreResponse')] } },
            },
          },
          ...errors(400, 401, 404, 413, 415, 422, 503),
        },
      },
    };
  }
  paths['/api/health'] = {
    get: {
      operationId: 'health',
      summary: 'Storage reachability and the version each use case serves',
      responses: {
        '200': {
          description: 'healthy or degraded',
          content: { 'application/json': { schema: ref('Health') } },
        },
        '503': { description: 'unhealthy', content: { 'application/json': { schema: ref('Health') } } },
      },
    },
  };
  paths['/api/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      responses: {
        '200': {
          description: 'OpenAPI 3.1',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
      },
    },
  };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: options.title ?? 'riskops',
      version: options.version,
      description:
        'Risk scoring with reasons; every decision recorded. Model administration routes (admin key) are listed in the README.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' },
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code' },
      },
    },
  };
}
