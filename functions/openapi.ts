import type { FunctionDefinition } from '../src/platform/functions/index.js';
import { json } from '../src/platform/http/index.js';
import { buildOpenApi } from '../src/platform/openapi/index.js';
import type { Services } from '../src/platform/runtime/services.js';

/** `GET /api/openapi.json`: the OpenAPI 3.1 document, generated once from the zod schemas. */
export const openapi: FunctionDefinition<Services> = {
  kind: 'http',
  name: 'openapi',
  route: 'openapi.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  create: (services) => {
    const document = buildOpenApi(services.useCases);
    return async () => json(200, document, { 'cache-control': 'public, max-age=300' });
  },
};
