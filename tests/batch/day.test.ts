import { gzipSync } from 'node:zlib';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { score } from '../../functions/score.js';
import type { BatchService, RunSummary } from '../../src/platform/batch/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { schemaFields } from '../../src/platform/tabular/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { batchEnv, batchServices, chunkConsumer, csvText, readLines, recordsOf, waitFor } from './support.js';

const DATE = '2026-11-30';
const CELLS = schemaFields(latePayment).length;
const env = batchEnv({ RISKOPS_BATCH_CHUNK_ROWS: '64', RISKOPS_BATCH_SCORE_ROWS: '50' });
let services: Services & { batch: BatchService };
const rows = recordsOf(latePayment, 450, 11);
rows[0] = { ...rows[0], customer_name: 'Nord, "Terra" GmbH\nBerlin' };
/** Where each malformed record is, and how its reason starts. */
const expectedRejects: { source: string; line: number; reason: RegExp; raw: RegExp }[] = [];
let runId: string;
let summary: RunSummary;

/** A CSV file from lines, tracking line numbers; malformed lines are recorded as expected rejects. */
function buildCsv(
  source: string,
  valid: Record<string, unknown>[],
  bad: Map<number, [string, RegExp]>,
  crlf = false,
) {
  const [header, ...lines] = csvText(latePayment, valid).split(/\n(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  let text = `\uFEFF${header}\n`;
  let line = 2;
  lines.forEach((l, i) => {
    const entry = bad.get(i);
    if (entry !== undefined) {
      expectedRejects.push({ source, line, reason: entry[1], raw: /BAD-/ });
      text += `${entry[0]}\n`;
      line += 1;
    }
    if (l === '') return;
    text += `${l}\n`;
    line += 1 + (l.match(/\n/g)?.length ?? 0);
  });
  return crlf ? text.replaceAll('\n', '\r\n') : text;
}

function badCsvLine(changes: Record<string, unknown>, edit: (line: string) => string = (l) => l): string {
  const line =
    csvText(latePayment, [{ ...rows[5], invoice_id: `BAD-${expectedRejects.length}`, ...changes }]).split(
      '\n',
    )[1] ?? '';
  return edit(line);
}

beforeAll(async () => {
  services = await batchServices(env);
  const inputs = services.storage.container(env.RISKOPS_BATCH_INPUT_CONTAINER as string);
  await inputs.createIfNotExists();
  const put = (name: string, body: string | Buffer) =>
    inputs.getBlockBlobClient(`late_payment/${DATE}/${name}`).uploadData(Buffer.from(body));

  const a = buildCsv(
    `late_payment/${DATE}/a.csv`,
    rows.slice(0, 200),
    new Map<number, [string, RegExp]>([
      [10, [badCsvLine({ amount: 'twelve' }), /^amount: expected a number$/]],
      [40, [badCsvLine({}, (l) => `${l},extra`), new RegExp(`^expected ${CELLS} cells, got ${CELLS + 1}$`)]],
      [
        70,
        [
          badCsvLine({ customer_name: 'PLACEHOLDER' }, (l) => l.replace('PLACEHOLDER', 'Bad"Quote')),
          /^quote inside an unquoted cell 3$/,
        ],
      ],
      [150, [badCsvLine({ country: 'XX' }), /^country: Invalid option/]],
    ]),
  );
  const jsonl: string[] = rows.slice(200, 350).map((r) => JSON.stringify(r));
  const jsonSource = `late_payment/${DATE}/b.jsonl`;
  jsonl.splice(20, 0, '{"invoice_id": "BAD-j1", ');
  jsonl.splice(60, 0, '[1, 2]');
  jsonl.splice(90, 0, JSON.stringify({ ...rows[7], invoice_id: undefined, customer_id: 'BAD-j3' }));
  jsonl.splice(100, 0, '');
  expectedRejects.push(
    { source: jsonSource, line: 21, reason: /^invalid JSON/, raw: /BAD-j1/ },
    { source: jsonSource, line: 61, reason: /^not a JSON object$/, raw: /^\[1, 2\]$/ },
    { source: jsonSource, line: 91, reason: /^invoice_id: /, raw: /BAD-j3/ },
  );
  const c = buildCsv(
    `late_payment/${DATE}/c.csv.gz`,
    rows.slice(350),
    new Map<number, [string, RegExp]>([
      [30, [badCsvLine({ payment_terms_days: -5 }), /^payment_terms_days: Too small/]],
    ]),
    true,
  );
  await Promise.all([
    put('a.csv', a),
    put('b.jsonl', `${jsonl.join('\n')}\n`),
    put('c.csv.gz', gzipSync(c)),
    put('_README.txt', 'not data'),
  ]);

  const plan = await services.batch.plan('late_payment', DATE);
  expect(plan.planned).toBe(true);
  expect(plan.skippedFiles).toEqual([`late_payment/${DATE}/_README.txt`]);
  runId = plan.run.runId;
  const host = chunkConsumer(services, env);
  await host.start();
  try {
    const run = await waitFor('the run to finish', async () => {
      const r = await services.batch.store.run(runId);
      return r?.status === 'succeeded' || r?.status === 'failed' ? r : undefined;
    });
    summary = run.summary as RunSummary;
  } finally {
    await host.stop();
  }
}, 60_000);

afterAll(() => services.close());

describe('a day of CSV, JSONL and gzip files with malformed rows', () => {
  it('splits the files into record-aligned chunks and writes a correct _SUCCESS.json', async () => {
    const champion = await services.models.get('late_payment');
    const chunks = await services.batch.store.chunks(runId);
    expect(chunks.map((c) => c.file.split('/').pop())).toEqual([
      'a.csv',
      'a.csv',
      'a.csv',
      'a.csv',
      'b.jsonl',
      'b.jsonl',
      'b.jsonl',
      'c.csv.gz',
      'c.csv.gz',
    ]);
    const out = services.storage.container(env.RISKOPS_BATCH_OUTPUT_CONTAINER as string);
    const marker = JSON.parse(
      (await out.getBlobClient(`late_payment/${DATE}/${runId}/_SUCCESS.json`).downloadToBuffer()).toString(
        'utf8',
      ),
    ) as RunSummary;
    expect(marker).toEqual(summary);
    expect(marker).toMatchObject({
      runId,
      status: 'succeeded',
      rows: { input: 450 + expectedRejects.length, scored: 450, rejected: expectedRejects.length },
      modelVersion: champion.version,
      modelSha256: champion.sha256,
      chunks: 9,
      files: 3,
    });
    expect(Object.values(marker.bands).reduce((a, b) => a + b, 0)).toBe(450);
    expect(marker.rowsPerSecond).toBeGreaterThan(0);
    expect(Date.parse(marker.finishedAt)).toBeGreaterThanOrEqual(Date.parse(marker.startedAt));
  });

  it('scores every valid row exactly once and rejects each malformed one with its line, raw text and reason', async () => {
    const container = env.RISKOPS_BATCH_OUTPUT_CONTAINER as string;
    const prefix = `late_payment/${DATE}/${runId}/`;
    const outputs = await readLines(services, container, prefix, /^(?!.*\/rejects\/).*\/part-\d+\.jsonl$/);
    const rejects = await readLines(services, container, `${prefix}rejects/`, /part-\d+\.jsonl$/);
    expect(outputs.length + rejects.length).toBe(450 + expectedRejects.length);
    expect(Object.keys(outputs[0] ?? {})).toEqual([
      'invoice_id',
      'customer_id',
      'entityId',
      'probability',
      'band',
      'action',
      'modelVersion',
    ]);
    expect(outputs.map((o) => o.entityId).sort()).toEqual(rows.map((r) => r.invoice_id).sort());
    expect(rejects).toHaveLength(expectedRejects.length);
    for (const expected of expectedRejects) {
      const found = rejects.find((r) => r.source === expected.source && r.line === expected.line);
      expect(found, `${expected.source}:${expected.line}`).toBeDefined();
      const reasons = found?.reasons as string[];
      expect(reasons.length).toBeGreaterThan(0);
      expect(
        reasons.some((r) => expected.reason.test(r)),
        reasons.join('; '),
      ).toBe(true);
      expect(String(found?.raw)).toMatch(expected.raw);
    }
  });

  it('gives the same scores as the HTTP endpoint for the same records', async () => {
    if (score.kind !== 'http') throw new Error('score is HTTP');
    const handler = score.create(services);
    const sample = rows.slice(0, 120);
    const response = await handler(
      new HttpRequest({
        method: 'POST',
        url: 'http://localhost/api/score/late_payment',
        params: { useCase: 'late_payment' },
        headers: { 'content-type': 'application/json' },
        body: { string: JSON.stringify({ records: sample }) },
      }),
      new InvocationContext({ functionName: 'score', logHandler: () => undefined }),
    );
    const http = (response.jsonBody as { results: { entityId: string; probability: number; band: string }[] })
      .results;
    const outputs = await readLines(
      services,
      env.RISKOPS_BATCH_OUTPUT_CONTAINER as string,
      `late_payment/${DATE}/${runId}/`,
      /^(?!.*\/rejects\/).*\/part-\d+\.jsonl$/,
    );
    const byId = new Map(outputs.map((o) => [o.entityId, o]));
    expect(http).toHaveLength(120);
    for (const h of http) {
      expect(byId.get(h.entityId)?.probability, h.entityId).toBe(h.probability);
      expect(byId.get(h.entityId)?.band).toBe(h.band);
    }
  });

  it('does nothing when the completed date is planned again, and --force makes a new run beside the old one', async () => {
    const again = await services.batch.plan('late_payment', DATE);
    expect(again.planned).toBe(false);
    expect(again.run.runId).toBe(runId);
    expect(await services.batch.store.chunks(runId)).toHaveLength(9);
    const forced = await services.batch.plan('late_payment', DATE, { force: true });
    expect(forced.planned).toBe(true);
    expect(forced.run.runId).not.toBe(runId);
    expect((await services.batch.store.latest('late_payment', DATE))?.runId).toBe(forced.run.runId);
    const out = services.storage.container(env.RISKOPS_BATCH_OUTPUT_CONTAINER as string);
    expect(await out.getBlobClient(`late_payment/${DATE}/${runId}/_SUCCESS.json`).exists()).toBe(true);
  });
});
