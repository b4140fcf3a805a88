import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '../../src/platform/functions/index.js';
import { startHost, type TestServices } from './support.js';

describe('local host request plumbing', () => {
  it('hands handlers a real HttpRequest whose body, headers, query and clone behave like fetch', async () => {
    let seen: Record<string, unknown> = {};
    const inspect: FunctionDefinition<TestServices> = {
      kind: 'http',
      name: 'inspect',
      route: 'inspect/{id}',
      methods: ['POST'],
      authLevel: 'anonymous',
      create: () => async (request) => {
        const copy = request.clone();
        const text = await request.text();
        const again = await request.text().catch((e: unknown) => (e as Error).name);
        const streamed = await new Response(copy.body).text();
        seen = {
          real: request instanceof HttpRequest,
          text,
          again,
          streamed,
          header: request.headers.get('x-multi'),
          query: request.query.getAll('q'),
          id: request.params.id,
          used: request.bodyUsed,
        };
        return {
          status: 201,
          jsonBody: { ok: true },
          headers: { 'X-Custom': 'yes' },
          cookies: [{ name: 'a', value: 'b', httpOnly: true }],
        };
      },
    };
    const { host } = await startHost([inspect]);
    const response = await fetch(`${host.url}/api/inspect/7?q=1&q=2`, {
      method: 'POST',
      headers: [
        ['x-multi', 'one'],
        ['x-multi', 'two'],
        ['content-type', 'application/json'],
      ],
      body: '\uFEFF{"ü":1}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-custom')).toBe('yes');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.getSetCookie()).toEqual(['a=b; HttpOnly']);
    expect(await response.json()).toEqual({ ok: true });
    expect(seen).toEqual({
      real: true,
      text: '{"ü":1}',
      again: 'TypeError',
      streamed: '{"ü":1}',
      header: 'one, two',
      query: ['1', '2'],
      id: '7',
      used: true,
    });
  });
});
