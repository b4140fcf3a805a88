import { HttpRequest, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { score } from '../../functions/score.js';
import { loadSettings } from '../../src/platform/config/index.js';
import { RiskopsError } from '../../src/platform/errors/index.js';
import type { Services } from '../../src/platform/runtime/services.js';
import type { ModelProvider } from '../../src/platform/scoring/index.js';
import { USE_CASES } from '../../src/use_cases/index.js';

/** Services whose models are never reached: the content type is refused before any model is looked up. */
const noModels: ModelProvider = {
  get: () => Promise.reject(new RiskopsError('model_unavailable', 'no models in this test')),
  serving: async () => ({}),
  close: async () => undefined,
};
const services = {
  settings: loadSettings({ env: {} }),
  useCases: USE_CASES,
  models: noModels,
} as unknown as Services;
if (score.kind !== 'http') throw new Error('score is an HTTP function');
const handler = score.create(services);

async function post(
  contentType: string | undefined,
): Promise<{ status: number; code: string; message: string }> {
  const response = await handler(
    new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/score/late_payment',
      params: { useCase: 'late_payment' },
      headers: contentType === undefined ? {} : { 'content-type': contentType },
      body: { bytes: Buffer.from('{"invoice_id": "INV-1"}') },
    }),
    new InvocationContext({ functionName: 'score', logHandler: () => undefined }),
  );
  const body = response.jsonBody as { error: { code: string; message: string } };
  return { status: response.status ?? 200, code: body.error.code, message: body.error.message };
}

describe('JSON bodies need a JSON content type', () => {
  it.each([
    ['text/plain;charset=UTF-8', 'text/plain'],
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
    ['application/json; charset=iso-8859-1', 'charset iso-8859-1'],
    [undefined, 'no content-type'],
  ])('refuses %s with 415', async (contentType, named) => {
    const answer = await post(contentType);
    expect(answer).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    expect(answer.message).toContain(named);
  });

  it.each(['application/json', 'Application/JSON; charset=utf-8', 'application/vnd.riskops+json'])(
    'reads %s (and goes on to validate the record)',
    async (contentType) => {
      const answer = await post(contentType);
      expect(answer.status).toBe(400);
      expect(answer.code).toBe('invalid_input');
    },
  );
});
