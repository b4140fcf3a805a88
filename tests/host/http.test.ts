import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '../../src/platform/functions/index.js';
import { startHost, type TestServices } from './support.js';

const DEFINITIONS: FunctionDefinition<TestServices>[] = [
  {
    kind: 'http',
    name: 'echo',
    route: 'items/{id:int}/notes/{tag?}',
    methods: ['GET', 'POST'],
    authLevel: 'function',
    create: (services) => async (request, context) => ({
      status: request.method === 'POST' ? 201 : 200,
      jsonBody: {
        greeting: services.greeting,
        method: request.method,
        params: request.params,
        query: Object.fromEntries(request.query.entries()),
        body: request.method === 'POST' ? await request.json() : null,
        invocationId: context.invocationId,
        functionName: context.functionName,
      },
      headers: { 'x-custom': 'yes' },
      cookies: [{ name: 'session', value: 'abc', httpOnly: true, path: '/' }],
    }),
  },
  {
    kind: 'http',
    name: 'latest',
    route: 'files/latest',
    methods: ['GET'],
    authLevel: 'anonymous',
    create: () => async () => ({ body: 'the latest file' }),
  },
  {
    kind: 'http',
    name: 'file',
    route: 'files/{name}',
    methods: ['GET'],
    authLevel: 'anonymous',
    create: () => async (request) => ({ body: new TextEncoder().encode(`file ${request.params.name}`) }),
  },
  {
    kind: 'http',
    name: 'boom',
    route: 'boom',
    methods: ['GET'],
    authLevel: 'anonymous',
    create: () => async () => {
      throw new Error('secret connection string AccountKey=xyz');
    },
  },
];

/** POSTs without a content-length (chunked), so the limit is enforced while streaming. */
function chunkedPost(url: string, body: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 512) req.write(body.slice(i, i + 512));
    req.end();
  });
}

describe('local host: HTTP', () => {
  it('routes to the function with params, query and JSON body, and translates the response', async () => {
    const { host } = await startHost(DEFINITIONS);
    const response = await fetch(`${host.url}/api/items/42/notes/red?sort=asc&page=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-custom')).toBe('yes');
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('set-cookie')).toBe('session=abc; Path=/; HttpOnly');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      greeting: 'hello',
      method: 'POST',
      params: { id: '42', tag: 'red' },
      query: { sort: 'asc', page: '2' },
      body: { text: 'hi' },
      functionName: 'echo',
    });
    expect(body.invocationId).toMatch(/^[0-9a-f-]{36}$/);

    const optional = await fetch(`${host.url}/api/items/7/notes`);
    expect(((await optional.json()) as { params: unknown }).params).toEqual({ id: '7' });
  });

  it('prefers literal routes and sends string and byte bodies', async () => {
    const { host } = await startHost(DEFINITIONS);
    expect(await (await fetch(`${host.url}/api/files/latest`)).text()).toBe('the latest file');
    expect(await (await fetch(`${host.url}/api/FILES/report.csv`)).text()).toBe('file report.csv');
  });

  it('answers 404 for no route, 405 with Allow for a wrong method, 413 for a large body', async () => {
    const { host } = await startHost(DEFINITIONS, { maxRequestBytes: 1024 });
    const missing = await fetch(`${host.url}/api/nothing/here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await fetch(`${host.url}/api/items/abc/notes`)).status).toBe(404);
    expect((await fetch(`${host.url}/elsewhere`)).status).toBe(404);

    const wrong = await fetch(`${host.url}/api/items/1/notes`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    expect(await wrong.json()).toMatchObject({ error: { code: 'method_not_allowed' } });

    const large = await fetch(`${host.url}/api/items/1/notes`, { method: 'POST', body: 'x'.repeat(2048) });
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(await chunkedPost(`${host.url}/api/items/1/notes`, 'y'.repeat(4096))).toBe(413);
  });

  it('turns a thrown error into a 500 with the invocation id and no internals, and logs the stack', async () => {
    const { host, logger } = await startHost(DEFINITIONS);
    const response = await fetch(`${host.url}/api/boom`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain('secret');
    expect(text).not.toContain('AccountKey');
    expect(text).not.toMatch(/\bat \S+ \(/);
    const body = JSON.parse(text) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe('internal');
    expect(body.error.requestId).toBe(response.headers.get('x-request-id'));
    expect(logger.text()).toContain(`Executed 'Functions.boom' (Failed, Id=${body.error.requestId}`);
    expect(logger.text()).toContain('secret connection string');
  });

  it('lists functions with their triggers and auth level, and reports host status', async () => {
    const { host, logger } = await startHost(DEFINITIONS);
    expect(logger.text()).toContain(
      `echo: [GET,POST] ${host.url}/api/items/{id:int}/notes/{tag?} (authLevel: function, keys not enforced locally)`,
    );
    const functions = (await (await fetch(`${host.url}/admin/functions`)).json()) as { name: string }[];
    expect(functions.map((f) => f.name)).toEqual(['echo', 'latest', 'file', 'boom']);
    expect(functions[0]).toMatchObject({ kind: 'http', authLevel: 'function', methods: ['GET', 'POST'] });
    const status = await (await fetch(`${host.url}/admin/host/status`)).json();
    expect(status).toMatchObject({ state: 'Running', functions: 4, activeInvocations: 0 });

    const invokeHttp = await fetch(`${host.url}/admin/functions/echo`, { method: 'POST', body: '{}' });
    expect(invokeHttp.status).toBe(400);
    expect((await fetch(`${host.url}/admin/functions/nope`, { method: 'POST', body: '{}' })).status).toBe(
      404,
    );
  });
});
