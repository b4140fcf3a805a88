import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAppServices } from '../../functions/app.js';
import { score } from '../../functions/score.js';
import { loadSettings } from '../../src/platform/config/index.js';
import type { HttpHandler } from '../../src/platform/functions/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { bandOf, requireGenerator } from '../../src/platform/use-case/index.js';
import { USE_CASES } from '../../src/use_cases/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

/** The response shapes this test reads (success and error bodies share one loose type). */
interface ScoreBody {
  modelVersion?: string;
  probability: number;
  band?: string;
  entityId?: string;
  results: { entityId: string; probability: number }[];
  error: { code: string; message: string; issues: { path: string }[] };
}

let services: Services;
let handler: HttpHandler;

beforeAll(async () => {
  const settings = loadSettings({
    env: {
      AzureWebJobsStorage: inject('azuriteConnectionString'),
      RISKOPS_MODELS_CONTAINER: uniqueName('models'),
      RISKOPS_LEDGER_TABLE: uniqueName('ledger'),
      RISKOPS_MAX_REQUEST_BYTES: '20000',
    },
  });
  services = await createAppServices(settings, testStorage());
  if (score.kind !== 'http') throw new Error('score is an HTTP function');
  handler = score.create(services);
});

afterAll(() => services.close());

function recordsOf(name: string, rows: number, seed = 5): Record<string, unknown>[] {
  const useCase = USE_CASES.find((u) => u.name === name);
  if (useCase === undefined) throw new Error(name);
  return requireGenerator(useCase)({ rows, seed }).map(
    ({ [useCase.label.field]: _label, ...record }) => record,
  );
}

async function call(useCase: string, body: string, query = ''): Promise<{ status: number; body: ScoreBody }> {
  const request = new HttpRequest({
    method: 'POST',
    url: `http://localhost:7071/api/score/${useCase}${query}`,
    params: { useCase },
    headers: { 'content-type': 'application/json' },
    body: { string: body },
  });
  const response = await handler(
    request,
    new InvocationContext({ functionName: 'score', logHandler: () => undefined }),
  );
  return { status: response.status ?? 200, body: response.jsonBody as ScoreBody };
}

describe('POST /api/score/{useCase}', () => {
  it.each(USE_CASES.map((u) => u.name))('scores a %s record with its champion', async (name) => {
    const [record] = recordsOf(name, 1);
    const response = await call(name, JSON.stringify(record));
    expect(response.status).toBe(200);
    const champion = (await services.registry.alias(name, 'champion'))?.state;
    expect(response.body.modelVersion).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{12}$/);
    expect(response.body.modelVersion).toBe(champion?.version);
    expect(response.body.probability).toBeGreaterThan(0);
    expect(response.body.probability).toBeLessThan(1);
    const useCase = USE_CASES.find((u) => u.name === name);
    if (useCase === undefined) throw new Error(name);
    expect(response.body.band).toBe(bandOf(useCase.bands, response.body.probability).name);
    expect(response.body.entityId).toBe(record?.[useCase.entityIdField]);
  });

  it('scores a batch in order, with the same probabilities as one at a time', async () => {
    const records = recordsOf('late_payment', 5);
    const batch = await call('late_payment', JSON.stringify({ records }));
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r) => r.entityId)).toEqual(records.map((r) => r.invoice_id));
    for (const [i, record] of records.entries()) {
      const single = await call('late_payment', JSON.stringify(record));
      expect(single.body.probability).toBeCloseTo(batch.body.results[i]?.probability ?? Number.NaN, 6);
    }
  });

  it('refuses a batch with one bad record, naming its index and field, and scores none', async () => {
    const records = recordsOf('late_payment', 3);
    records[1] = { ...records[1], amount: 'lots', country: 'XX' };
    const response = await call('late_payment', JSON.stringify({ records }));
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_input');
    expect(response.body.error.issues.map((i) => i.path)).toEqual(['records.1.amount', 'records.1.country']);
  });

  it('answers malformed bodies with 400 and oversize bodies with 413', async () => {
    expect((await call('late_payment', '{"invoice_id": ')).body.error.code).toBe('invalid_json');
    expect((await call('late_payment', '')).status).toBe(400);
    const empty = await call('late_payment', JSON.stringify({ records: [] }));
    expect(empty.status).toBe(400);
    expect(empty.body.error.issues[0]?.path).toBe('records');
    const huge = await call('late_payment', JSON.stringify({ records: recordsOf('late_payment', 200) }));
    expect(huge.status).toBe(413);
  });

  it('scores with a pinned version, and says so when the version does not exist', async () => {
    const champion = (await services.registry.alias('late_payment', 'champion'))?.state;
    const [record] = recordsOf('late_payment', 1);
    expect(champion?.version).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{12}$/);
    const pinned = await call('late_payment', JSON.stringify(record), `?version=${champion?.version}`);
    expect(pinned.status).toBe(200);
    expect(pinned.body.modelVersion).toBe(champion?.version);
    const missing = await call(
      'late_payment',
      JSON.stringify(record),
      '?version=20200101T000000Z-000000000000',
    );
    expect(missing.status).toBe(404);
  });

  it('answers an unknown use case with 404 listing the known ones', async () => {
    const response = await call('credit_limit', JSON.stringify(recordsOf(latePayment.name, 1)[0]));
    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain('late_payment');
  });
});
