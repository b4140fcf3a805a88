import { HttpRequest, InvocationContext } from '@azure/functions';
import { loadSettings } from '../../../src/platform/config/index.js';
import type { HttpDefinition } from '../../../src/platform/functions/index.js';
import {
  createRegistryModelProvider,
  encodeClientPrincipal,
  type Registry,
} from '../../../src/platform/registry/index.js';
import type { Services } from '../../../src/platform/runtime/services.js';
import { servicesAround } from '../../support/platform-services.js';
import { testUseCase } from './fixtures.js';

/** Services around a test registry, with settings from `env` (the registry's own options decide policy). */
export function servicesFor(
  registry: Registry,
  storage: Services['storage'],
  env: Record<string, string> = {},
): Services {
  const settings = loadSettings({ env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true', ...env } });
  const models = createRegistryModelProvider({ registry, refreshMs: 1000 });
  return servicesAround(settings, storage, [testUseCase], registry, models);
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked with matchers, field by field
type Body = Record<string, any>;

export interface CallInit {
  method: 'GET' | 'POST';
  /** Path after /api/, with any query string, exactly as a client would send it. */
  path: string;
  body?: unknown;
  /** A principal as Easy Auth passes it (`x-ms-client-principal`). */
  principal?: { id: string; name: string };
  headers?: Record<string, string>;
}

/** Calls a function's handler with a real HttpRequest and InvocationContext. */
export async function call(definition: unknown, svc: Services, init: CallInit) {
  const fn = definition as HttpDefinition<Services>;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  if (init.principal !== undefined) headers['x-ms-client-principal'] = encodeClientPrincipal(init.principal);
  const request = new HttpRequest({
    method: init.method,
    url: `http://localhost:7071/api/${init.path}`,
    headers,
    params: { useCase: testUseCase.name },
    ...(init.body === undefined ? {} : { body: { string: JSON.stringify(init.body) } }),
  });
  const context = new InvocationContext({
    invocationId: 'test',
    functionName: fn.name,
    logHandler: () => undefined,
  });
  const response = await fn.create(svc)(request, context);
  return { status: response.status ?? 200, body: response.jsonBody as Body };
}
