import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAppServices } from '../../functions/app.js';
import { FUNCTIONS } from '../../functions/definitions.js';
import { score } from '../../functions/score.js';
import { loadSettings } from '../../src/platform/config/index.js';
import type { HttpHandler } from '../../src/platform/functions/index.js';
import { HttpRequest, InvocationContext } from '../../src/platform/host/azure-functions.js';
import { createLocalHost, type LocalHost, SILENT_LOGGER } from '../../src/platform/host/index.js';
import { createRng } from '../../src/platform/random/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import { USE_CASES } from '../../src/use_cases/index.js';
import { TEST_HOST_CONFIG } from '../host/support.js';
import { testStorage, uniqueName } from '../support/storage.js';
import { recordsOf } from './support.js';

const PAYLOADS = 10_000;
/** Every fifth payload goes over HTTP through the local host; the rest straight to the handler (as on Azure). */
const HTTP_EVERY = 5;
const CONCURRENCY = 64;
const MAX_BYTES = 65_536;

interface Payload {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

let services: Services;
let host: LocalHost;
let handler: HttpHandler;

beforeAll(async () => {
  const settings = loadSettings({
    env: {
      AzureWebJobsStorage: inject('azuriteConnectionString'),
      RISKOPS_MODELS_CONTAINER: uniqueName('models'),
      RISKOPS_LEDGER_TABLE: uniqueName('ledger'),
      RISKOPS_AUDIT_TABLE: uniqueName('decisions'),
      RISKOPS_AUDIT_HMAC_KEY: 'fuzz-test-key-0123456789abcdefghijklm',
      RISKOPS_MAX_REQUEST_BYTES: String(MAX_BYTES),
    },
  });
  const storage = testStorage();
  services = await createAppServices(settings, storage);
  host = createLocalHost({
    definitions: FUNCTIONS,
    services,
    storage,
    hostConfig: TEST_HOST_CONFIG,
    port: 0,
    logger: SILENT_LOGGER,
    maxRequestBytes: MAX_BYTES,
  });
  await host.start();
  if (score.kind !== 'http') throw new Error('score is HTTP');
  handler = score.create(services);
}, 60_000);

/** Sends a payload straight to the score handler, as the Azure host would after its own HTTP parsing. */
async function direct(p: Payload): Promise<{ status: number; text: string }> {
  const match = /^\/api\/score\/([^/?]*)(\?.*)?$/.exec(p.path);
  if (match === null || p.method !== 'POST') return { status: 404, text: 'not routed' };
  const request = new HttpRequest({
    method: p.method,
    url: `http://localhost${p.path}`,
    params: { useCase: decodeURIComponent(match[1] ?? '') },
    headers: p.headers,
    ...(p.body === undefined
      ? {}
      : { body: typeof p.body === 'string' ? { string: p.body } : { bytes: p.body } }),
  });
  const response = await handler(
    request,
    new InvocationContext({ invocationId: randomUUID(), functionName: 'score', logHandler: () => undefined }),
  );
  return { status: response.status ?? 200, text: JSON.stringify(response.jsonBody) };
}

afterAll(async () => {
  await host.stop();
  await services.close();
});

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** A seeded stream of hostile requests: mutated records, broken bodies, odd content types and query values. */
function* payloads(count: number): Generator<Payload> {
  const rng = createRng(20261201);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng.next() * items.length)] as T;
  const samples = Object.fromEntries(USE_CASES.map((u) => [u.name, recordsOf(u.name, 40, 77)]));
  const hostileValues: unknown[] = [
    null,
    true,
    false,
    0,
    -0,
    -1,
    1e308,
    -1e308,
    5e-324,
    2 ** 53 + 1,
    'NaN',
    'Infinity',
    '-Infinity',
    '1e999',
    '',
    ' ',
    'x'.repeat(5000),
    '\u0000',
    '\uD800',
    '😀'.repeat(50),
    '<script>',
    "'; DROP TABLE x;--",
    [],
    [1, 2],
    {},
    { $ne: 1 },
    { __proto__: { polluted: 1 } },
    '2026-02-30',
    '9999-99-99',
    '0000-00-00',
    'true',
    '42',
  ];
  const rawBodies: (string | Uint8Array)[] = [
    '',
    ' ',
    'null',
    'true',
    '42',
    '"text"',
    '[]',
    '[{}]',
    '{',
    '{"a":',
    '{"records":',
    '{"records":null}',
    '{"records":{}}',
    '{"records":[]}',
    '{"records":"x"}',
    'NaN',
    'Infinity',
    '{"a":NaN}',
    '{"a":Infinity}',
    '{"a":1e999}',
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"x":1}}}',
    nested(5000),
    `{"a":${nested(20000)}}`,
    '\uFEFF{}',
    Uint8Array.from([0xff, 0xfe, 0xfd]),
    Uint8Array.from([0x7b, 0xc3, 0x28, 0x7d]),
    Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
    'x'.repeat(MAX_BYTES + 10),
    `{"records":[${Array(1001).fill('{}').join(',')}]}`,
  ];
  const contentTypes = [
    'application/json',
    'text/plain',
    'application/xml',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
    '',
  ];
  const queries = [
    '',
    '?explain=full',
    '?explain=FULL',
    '?explain=',
    '?explain=full&explain=x',
    '?version=',
    '?version=../../etc/passwd',
    '?version=%00',
    `?version=${'9'.repeat(3000)}`,
    '?version=20200101T000000Z-000000000000',
    '?version=champion',
    '?code=x',
    '?%zz=1',
  ];
  for (let i = 0; i < count; i++) {
    const useCase = pick(USE_CASES);
    const base = pick(samples[useCase.name] ?? []);
    const kind = rng.next();
    let body: string | Uint8Array;
    if (kind < 0.6) {
      const record: Record<string, unknown> = { ...base };
      const fields = Object.keys(record);
      for (let m = 0; m < 1 + Math.floor(rng.next() * 3); m++) record[pick(fields)] = pick(hostileValues);
      if (rng.next() < 0.1) delete record[pick(fields)];
      body = JSON.stringify(rng.next() < 0.2 ? { records: [base, record] } : record);
    } else if (kind < 0.96) {
      body = pick(rawBodies);
    } else {
      body = JSON.stringify(rng.next() < 0.5 ? base : { records: [base, base] });
    }
    const path =
      rng.next() < 0.05
        ? pick([
            '/api/score/',
            '/api/score/%2e%2e',
            '/api/score/LATE_PAYMENT',
            '/api/score/x/y',
            `/api/score/${'a'.repeat(500)}`,
          ])
        : `/api/score/${useCase.name}`;
    const contentType = rng.next() < 0.8 ? 'application/json' : pick(contentTypes);
    const method = rng.next() < 0.03 ? pick(['GET', 'PUT', 'DELETE', 'PATCH']) : 'POST';
    const headers: Record<string, string> = contentType === '' ? {} : { 'content-type': contentType };
    yield {
      method,
      path: `${path}${rng.next() < 0.3 ? pick(queries) : ''}`,
      headers,
      ...(method === 'GET' ? {} : { body }),
    };
  }
}

describe('fuzzing the score endpoint over HTTP', () => {
  it(`answers ${PAYLOADS} hostile requests without a single 5xx`, async () => {
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const iterator = payloads(PAYLOADS);
    let sent = 0;
    let overHttp = 0;
    const worker = async () => {
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        const p = next.value;
        sent++;
        let response: { status: number };
        let text: string;
        if (sent % HTTP_EVERY === 0) {
          const answer = await fetch(`${host.url}${p.path}`, {
            method: p.method,
            headers: p.headers,
            ...(p.body === undefined ? {} : { body: p.body }),
          });
          response = answer;
          text = await answer.text();
          overHttp++;
        } else {
          const answer = await direct(p).catch((error: unknown) => ({ status: 599, text: String(error) }));
          response = answer;
          text = answer.text;
        }
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500 && failures.length < 10)
          failures.push(
            `${p.method} ${p.path.slice(0, 120)} ${String(p.body).slice(0, 120)} -> ${response.status} ${text.slice(0, 200)}`,
          );
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(sent).toBe(PAYLOADS);
    expect(overHttp).toBe(PAYLOADS / HTTP_EVERY);
    expect(failures).toEqual([]);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(300);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(3000);
  }, 120_000);
});
