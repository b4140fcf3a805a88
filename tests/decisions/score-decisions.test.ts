import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAppServices } from '../../functions/app.js';
import { indexDecisions } from '../../functions/index-decisions.js';
import { score } from '../../functions/score.js';
import {
  createBlobDecisionLog,
  createTableDecisionLog,
  type DecisionRecord,
  HMAC_PREFIX,
} from '../../src/platform/audit/index.js';
import { loadSettings } from '../../src/platform/config/index.js';
import type { HttpHandler } from '../../src/platform/functions/index.js';
import { InvocationContext } from '../../src/platform/host/azure-functions.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { canaryPoint } from '../../src/platform/scoring/index.js';
import { azuriteConnectionString, createStorageClients } from '../../src/platform/storage/index.js';
import { testStorage, uniqueName } from '../support/storage.js';
import { callScore, recordsOf, shippedVariant } from './support.js';

interface Reason {
  feature: string;
  value: unknown;
  contribution: number;
  text: string;
}
interface Body {
  requestId: string;
  modelVersion: string;
  decidedBy: string;
  entityId: string;
  probability: number;
  reasons: Reason[] | null;
  explanation?: { baseValue: number; space: string; contributions: Omit<Reason, 'text'>[] };
  results: Body[];
  error: { code: string };
}

const HMAC_KEY = 'test-hmac-key-0123456789abcdefghijklmnop';
const CANARY = 0.3;
let services: Services;
let handler: HttpHandler;
let auditTable: string;
let auditContainer: string;
const challengers: Record<string, string> = {};
const observed: { useCase: string; role: string; rows: number }[] = [];

beforeAll(async () => {
  auditTable = uniqueName('decisions');
  auditContainer = uniqueName('decisionlog');
  const settings = loadSettings({
    env: {
      AzureWebJobsStorage: inject('azuriteConnectionString'),
      RISKOPS_MODELS_CONTAINER: uniqueName('models'),
      RISKOPS_LEDGER_TABLE: uniqueName('ledger'),
      RISKOPS_AUDIT_TABLE: auditTable,
      RISKOPS_AUDIT_CONTAINER: auditContainer,
      RISKOPS_AUDIT_HMAC_KEY: HMAC_KEY,
      RISKOPS_CANARY_SHARES: `late_payment=${CANARY}`,
      RISKOPS_SHADOW_USE_CASES: 'invoice_fraud',
    },
  });
  services = await createAppServices(settings, testStorage());
  for (const name of ['late_payment', 'invoice_fraud']) {
    const { bytes, manifest } = shippedVariant(name, 'challenger');
    const pushed = await services.registry.push(name, bytes, manifest, {
      actor: 'test',
      reason: 'challenger',
    });
    await services.registry.promote(name, pushed.version, {
      actor: 'test',
      reason: 'try',
      alias: 'challenger',
    });
    challengers[name] = pushed.version;
  }
  services.observeScores = (o) => observed.push({ useCase: o.useCase, role: o.role, rows: o.records.length });
  if (score.kind !== 'http') throw new Error('score is an HTTP function');
  handler = score.create(services);
});

afterAll(() => services.close());

async function logged(useCase: string, entityId: string) {
  return (services.decisions?.find({ useCase, entityId }) ?? Promise.resolve([])) as Promise<
    Awaited<ReturnType<NonNullable<Services['decisions']>['find']>>
  >;
}

describe('score responses carry reasons and are on record', () => {
  it('returns the top adverse reasons with texts, and every contribution with ?explain=full', async () => {
    const [record] = recordsOf('customer_churn', 1, 11);
    const answer = await callScore<Body>(handler, 'customer_churn', JSON.stringify(record), '?explain=full');
    expect(answer.status).toBe(200);
    const body = answer.body;
    expect(body.decidedBy).toBe('champion');
    expect(body.reasons?.length).toBeLessThanOrEqual(4);
    for (const reason of body.reasons ?? []) {
      expect(reason.contribution).toBeGreaterThan(0);
      expect(reason.text.length).toBeGreaterThan(5);
    }
    const full = body.explanation;
    expect(full?.space).toBe('log-odds');
    const margin = (full?.contributions ?? []).reduce((s, c) => s + c.contribution, full?.baseValue ?? 0);
    expect(1 / (1 + Math.exp(-margin))).toBeCloseTo(body.probability, 5);
    const plain = await callScore<Body>(handler, 'customer_churn', JSON.stringify(record));
    expect(plain.body.explanation).toBeUndefined();
    expect(plain.body.reasons).toEqual(body.reasons);
  });

  it('logs one record per 200 decision under concurrent load, and none for rejected requests', async () => {
    const records = recordsOf('customer_churn', 60, 21);
    const answers = await Promise.all([
      ...records.slice(0, 40).map((r) => callScore<Body>(handler, 'customer_churn', JSON.stringify(r))),
      callScore<Body>(handler, 'customer_churn', JSON.stringify({ records: records.slice(40) })),
      ...records
        .slice(0, 5)
        .map((r) => callScore<Body>(handler, 'customer_churn', JSON.stringify({ ...r, seats: -5 }))),
      callScore<Body>(handler, 'customer_churn', JSON.stringify(records[0]), '?explain=some'),
    ]);
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.length).toBe(41);
    expect(answers.filter((a) => a.status === 400).length).toBe(6);
    const day = new Date().toISOString().slice(0, 10);
    const all = await services.decisions?.find({ useCase: 'customer_churn', date: day, limit: 10_000 });
    const ids = new Set(answers.map((a) => a.requestId));
    const mine = (all ?? []).filter((r) => ids.has(r.requestId));
    expect(mine.length).toBe(60);
    const okIds = new Set(ok.map((a) => a.requestId));
    expect(mine.every((r) => okIds.has(r.requestId))).toBe(true);
    for (const answer of ok.slice(0, 40)) {
      const rows = mine.filter((r) => r.requestId === answer.requestId);
      expect(rows.length).toBe(1);
      expect(rows[0]?.probability).toBe(answer.body.probability);
      expect(rows[0]?.reasons).toEqual(answer.body.reasons);
      expect(rows[0]?.modelVersion).toBe(answer.body.modelVersion);
    }
    const byEntity = await logged('customer_churn', String(records[3]?.customer_id));
    expect(byEntity.some((r) => r.requestId === ok[3]?.requestId)).toBe(true);
  });

  it('never stores PII in clear: the configured key HMACs it', async () => {
    const [record] = recordsOf('late_payment', 1, 31);
    const answer = await callScore<Body>(handler, 'late_payment', JSON.stringify(record));
    expect(answer.status).toBe(200);
    const raw = [];
    for await (const entity of services.storage.table(auditTable).listEntities()) raw.push(entity);
    // The day blobs (the log of record) and the table index alike.
    const container = services.storage.container(auditContainer);
    for await (const blob of container.listBlobsFlat())
      raw.push((await container.getBlobClient(blob.name).downloadToBuffer()).toString('utf8'));
    const text = JSON.stringify(raw);
    const name = String(record?.customer_name);
    expect(text).toContain(String(record?.invoice_id));
    expect(text).not.toContain(name);
    const [row] = (await logged('late_payment', String(record?.invoice_id))).filter(
      (r) => r.requestId === answer.requestId,
    );
    expect(row?.inputs.customer_name).toBe(
      `${HMAC_PREFIX}${createHmac('sha256', HMAC_KEY).update(name).digest('hex')}`,
    );
  });
});

describe('the indexDecisions timer', () => {
  it('indexes what the day blobs hold into the table, without a read asking for it', async () => {
    const records = recordsOf('invoice_fraud', 5, 91);
    const answer = await callScore<Body>(handler, 'invoice_fraud', JSON.stringify({ records }));
    expect(answer.status).toBe(200);
    if (indexDecisions.kind !== 'timer') throw new Error('indexDecisions is a timer');
    const context = new InvocationContext({ functionName: 'indexDecisions', logHandler: () => undefined });
    await indexDecisions.create(services)({ isPastDue: false } as never, context);
    const rows: DecisionRecord[] = [];
    for await (const row of services.storage.table(auditTable).listEntities<{ record?: string }>())
      if (row.record !== undefined) rows.push(JSON.parse(row.record) as DecisionRecord);
    // invoice_fraud is shadowed too: its shadow records (off the response path) may or may not be in yet.
    const mine = rows.filter((r) => r.requestId === answer.body.requestId && r.role !== 'shadow');
    expect(mine.length).toBe(2 * records.length); // by day and by entity
    expect(services.decisions?.status?.().index).toMatchObject({ pendingBytes: 0 });
  });
});

describe('micro-batching', () => {
  it('joins concurrent requests into one ONNX run and answers each exactly as alone', async () => {
    if (score.kind !== 'http') throw new Error('score is an HTTP function');
    const batched = score.create({
      ...services,
      settings: { ...services.settings, RISKOPS_SCORE_MICROBATCH: true },
    });
    const records = recordsOf('customer_churn', 12, 71);
    const together = await Promise.all(
      records.map((r) => callScore<Body>(batched, 'customer_churn', JSON.stringify(r))),
    );
    const alone = await callScore<Body>(handler, 'customer_churn', JSON.stringify({ records }));
    expect(together.map((a) => a.status)).toEqual(records.map(() => 200));
    expect(together.map((a) => a.body.probability)).toEqual(alone.body.results.map((r) => r.probability));
    expect(together.map((a) => a.body.reasons)).toEqual(alone.body.results.map((r) => r.reasons));
  });
});

describe('when the decision log cannot be written', () => {
  it('answers 503 and returns no decision', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const table = new TableClient(
      `http://127.0.0.1:${port}/devstoreaccount1`,
      'decisions',
      new AzureNamedKeyCredential('devstoreaccount1', 'a2V5'),
      { allowInsecureConnection: true, retryOptions: { maxRetries: 1 } },
    );
    const broken = createTableDecisionLog({ table, entityPartitions: 2, timeoutMs: 1500 });
    if (score.kind !== 'http') throw new Error('score is an HTTP function');
    const brokenHandler = score.create({ ...services, decisions: broken });
    const started = Date.now();
    const [record] = recordsOf('customer_churn', 1, 61);
    const answer = await callScore<Body>(brokenHandler, 'customer_churn', JSON.stringify(record));
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('storage_unavailable');
    expect(answer.body.probability).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(10_000);
    // The same with the default commit, to append blobs on storage that does not answer.
    const deadBlobs = createStorageClients({
      kind: 'connectionString',
      connectionString: azuriteConnectionString({ blob: port, queue: port, table: port }),
    });
    const brokenBlobs = createBlobDecisionLog({
      container: deadBlobs.container('decisionlog'),
      writerId: 'dead',
      timeoutMs: 1500,
      indexer: { catchUp: () => Promise.reject(new Error('unused')), status: () => ({}) as never },
      read: () => Promise.resolve([]),
    });
    const blobAnswer = await callScore<Body>(
      score.create({ ...services, decisions: brokenBlobs }),
      'customer_churn',
      JSON.stringify(record),
    );
    expect(blobAnswer.status).toBe(503);
    expect(blobAnswer.body.error.code).toBe('storage_unavailable');
    expect(blobAnswer.body.probability).toBeUndefined();
    const without = score.create({ ...services, decisions: undefined } as unknown as Services);
    expect((await callScore<Body>(without, 'customer_churn', JSON.stringify(record))).status).toBe(503);
  });
});

describe('champion and challenger in production', () => {
  it('sends a sticky share of entities to the canary and says which model decided', async () => {
    const records = recordsOf('late_payment', 400, 41);
    const batch = await callScore<Body>(handler, 'late_payment', JSON.stringify({ records }));
    expect(batch.status).toBe(200);
    const canary = batch.body.results.filter((r) => r.decidedBy === 'canary');
    const share = canary.length / records.length;
    expect(share).toBeGreaterThan(CANARY - 0.08);
    expect(share).toBeLessThan(CANARY + 0.08);
    for (const [i, result] of batch.body.results.entries()) {
      const expected =
        canaryPoint('late_payment', String(records[i]?.invoice_id)) < CANARY ? 'canary' : 'champion';
      expect(result.decidedBy).toBe(expected);
      expect(result.modelVersion).toBe(
        expected === 'canary' ? challengers.late_payment : batch.body.modelVersion,
      );
    }
    // sticky: the same entity asked again, alone, gets the same model
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7]) {
      const again = await callScore<Body>(handler, 'late_payment', JSON.stringify(records[i]));
      expect(again.body.decidedBy).toBe(batch.body.results[i]?.decidedBy);
      expect(again.body.modelVersion).toBe(batch.body.results[i]?.modelVersion);
    }
    // a pinned version is never a canary
    const pinned = await callScore<Body>(
      handler,
      'late_payment',
      JSON.stringify(records[canary.length > 0 ? batch.body.results.indexOf(canary[0] as Body) : 0]),
      `?version=${batch.body.modelVersion}`,
    );
    expect(pinned.body.decidedBy).toBe('pinned');
  });

  it('shadow-scores with the challenger off the response path, logged under the same request id', async () => {
    const [record] = recordsOf('invoice_fraud', 1, 51);
    const answer = await callScore<Body>(handler, 'invoice_fraud', JSON.stringify(record));
    expect(answer.status).toBe(200);
    expect(answer.body.decidedBy).toBe('champion');
    const entity = String(record?.invoice_id);
    let rows: Awaited<ReturnType<typeof logged>> = [];
    for (let i = 0; i < 50 && rows.length < 2; i++) {
      rows = (await logged('invoice_fraud', entity)).filter((r) => r.requestId === answer.requestId);
      if (rows.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows.map((r) => r.role).sort()).toEqual(['champion', 'shadow']);
    const shadow = rows.find((r) => r.role === 'shadow');
    expect(shadow?.modelVersion).toBe(challengers.invoice_fraud);
    expect(shadow?.probability).toBeCloseTo(answer.body.probability, 6);
    expect(observed.some((o) => o.useCase === 'invoice_fraud' && o.role === 'shadow')).toBe(true);
  });
});
