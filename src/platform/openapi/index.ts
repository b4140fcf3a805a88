/** @module OpenAPI 3.1 document of the HTTP API, generated from the zod schemas. */
export { API_VERSION, buildOpenApi, type OpenApiOptions } from './document.js';
export { ErrorBodySchema, HealthBodySchema } from './schemas.js';

/** Where the generated document is kept in the repository (checked by a test, written by `riskops openapi`). */
export const OPENAPI_FILE = 'openapi.json';
