import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAppServices } from '../../functions/app.js';
import { health } from '../../functions/health.js';
import { openapi } from '../../functions/openapi.js';
import { score } from '../../functions/score.js';
import { openApiText } from '../../src/cli/commands/openapi.js';
import { loadSettings } from '../../src/platform/config/index.js';
import type { HttpHandler } from '../../src/platform/functions/index.js';
import { HttpRequest, InvocationContext } from '../../src/platform/host/azure-functions.js';
import { OPENAPI_FILE } from '../../src/platform/openapi/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { USE_CASES } from '../../src/use_cases/index.js';
import { testStorage, uniqueName } from '../support/storage.js';
import { callScore, recordsOf } from './support.js';

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
        requestBody?: { content: Record<string, { schema: unknown }> };
      }
    >
  >;
};

let services: Services;
let scoreHandler: HttpHandler;
const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Doc;
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(doc as object, 'openapi');

/** Validates `body` against the response schema the document declares for this path, method and status. */
function conforms(path: string, method: string, status: number, body: unknown): string[] {
  const response = doc.paths[path]?.[method]?.responses[String(status)];
  if (response === undefined) return [`no ${status} response documented for ${method} ${path}`];
  if (response.content?.['application/json'] === undefined) return [`no JSON body documented for ${status}`];
  const validate = ajv.compile({
    $ref: `openapi#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/responses/${status}/content/application~1json/schema`,
  });
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

beforeAll(async () => {
  const settings = loadSettings({
    env: {
      AzureWebJobsStorage: inject('azuriteConnectionString'),
      RISKOPS_MODELS_CONTAINER: uniqueName('models'),
      RISKOPS_LEDGER_TABLE: uniqueName('ledger'),
      RISKOPS_AUDIT_TABLE: uniqueName('decisions'),
      RISKOPS_AUDIT_HMAC_KEY: 'openapi-test-key-0123456789abcdefghij',
      RISKOPS_MAX_REQUEST_BYTES: '50000',
    },
  });
  services = await createAppServices(settings, testStorage());
  if (score.kind !== 'http') throw new Error('score is HTTP');
  scoreHandler = score.create(services);
});
afterAll(() => services.close());

describe('OpenAPI 3.1 document', () => {
  it('is kept in the repository exactly as generated (riskops openapi)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(openApiText());
  });

  it('is served at GET /api/openapi.json', async () => {
    if (openapi.kind !== 'http') throw new Error('openapi is HTTP');
    const response = await openapi.create(services)(
      new HttpRequest({ method: 'GET', url: 'http://localhost/api/openapi.json' }),
      new InvocationContext({ functionName: 'openapi', logHandler: () => undefined }),
    );
    expect(response.status).toBe(200);
    expect(response.jsonBody).toEqual(JSON.parse(openApiText()));
  });

  it('accepts every valid record of every use case in its request schema', () => {
    for (const useCase of USE_CASES) {
      const path = `/api/score/${useCase.name}`;
      const validate = ajv.compile({
        $ref: `openapi#/paths/${path.replaceAll('/', '~1')}/post/requestBody/content/application~1json/schema`,
      });
      const records = recordsOf(useCase.name, 30, 3);
      for (const record of records) expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
      expect(validate({ records })).toBe(true);
    }
  });

  it('describes what the API answers: decisions, batches, explanations and errors', async () => {
    for (const useCase of USE_CASES) {
      const path = `/api/score/${useCase.name}`;
      const records = recordsOf(useCase.name, 3, 9);
      const cases: [string, string][] = [
        [JSON.stringify(records[0]), ''],
        [JSON.stringify(records[1]), '?explain=full'],
        [JSON.stringify({ records }), '?explain=full'],
        [JSON.stringify({ ...records[0], [useCase.entityIdField]: 42 }), ''],
        ['{"broken', ''],
        [JSON.stringify({ records: recordsOf(useCase.name, 200, 1) }), ''],
        [JSON.stringify(records[0]), '?version=20200101T000000Z-000000000000'],
      ];
      const statuses = new Set<number>();
      for (const [body, query] of cases) {
        const answer = await callScore<unknown>(scoreHandler, useCase.name, body, query);
        statuses.add(answer.status);
        expect(
          conforms(path, 'post', answer.status, answer.body),
          `${answer.status} ${JSON.stringify(answer.body)}`,
        ).toEqual([]);
      }
      expect([...statuses].sort()).toEqual([200, 400, 404, 413]);
    }
    const unknown = await callScore<unknown>(scoreHandler, 'nope', '{}');
    expect(conforms('/api/score/late_payment', 'post', unknown.status, unknown.body)).toEqual([]);
    if (health.kind !== 'http') throw new Error('health is HTTP');
    const answer = await health.create(services)(
      new HttpRequest({ method: 'GET', url: 'http://localhost/api/health' }),
      new InvocationContext({ functionName: 'health', logHandler: () => undefined }),
    );
    expect(conforms('/api/health', 'get', answer.status ?? 200, answer.jsonBody)).toEqual([]);
  });

  it('catches a response that breaks the contract', () => {
    expect(
      conforms('/api/score/late_payment', 'post', 200, { useCase: 'late_payment', probability: 2 }),
    ).not.toEqual([]);
  });
});
