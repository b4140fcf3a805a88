import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '../../src/platform/functions/index.js';
import { startHost, type TestServices } from './support.js';

const MASTER = 'master-key-0123456789';
const FN_KEY = 'function-key-0123456789';

const route = (
  name: string,
  authLevel: 'anonymous' | 'function' | 'admin',
): FunctionDefinition<TestServices> => ({
  kind: 'http',
  name,
  route: name,
  methods: ['GET', 'POST'],
  authLevel,
  create: () => async () => ({ status: 200, jsonBody: { name } }),
});

const DEFS = [route('open', 'anonymous'), route('fn', 'function'), route('adm', 'admin')];

async function status(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<number> {
  const response = await fetch(url, { headers, method });
  await response.arrayBuffer();
  return response.status;
}

describe('local host keys', () => {
  it('enforces function and admin levels with x-functions-key or ?code=, as Azure does', async () => {
    const { host, logger } = await startHost(DEFS, {
      keys: { master: MASTER, function: { default: FN_KEY } },
    });
    const u = host.url;
    expect(await status(`${u}/api/open`)).toBe(200);
    expect(await status(`${u}/api/fn`)).toBe(401);
    expect(await status(`${u}/api/fn`, { 'x-functions-key': 'wrong-key-0123456789' })).toBe(401);
    expect(await status(`${u}/api/fn`, { 'x-functions-key': FN_KEY })).toBe(200);
    expect(await status(`${u}/api/fn?code=${FN_KEY}`)).toBe(200);
    expect(await status(`${u}/api/fn`, { 'x-functions-key': MASTER })).toBe(200);
    expect(await status(`${u}/api/adm`, { 'x-functions-key': FN_KEY })).toBe(401);
    expect(await status(`${u}/api/adm?code=${MASTER}`)).toBe(200);
    expect(await status(`${u}/admin/host/status`)).toBe(401);
    expect(await status(`${u}/admin/host/status`, { 'x-functions-key': MASTER })).toBe(200);
    const body = (await (await fetch(`${u}/api/fn`)).json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.message).toContain('x-functions-key');
    expect(logger.text()).not.toContain('keys not enforced');
  });

  it('leaves routes open, and says so, when no key is configured', async () => {
    const { host, logger } = await startHost(DEFS);
    expect(await status(`${host.url}/api/fn`)).toBe(200);
    expect(await status(`${host.url}/api/adm`)).toBe(200);
    expect(logger.text()).toContain('keys not enforced');
  });
});
