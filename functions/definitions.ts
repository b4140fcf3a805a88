/** Every function of the app, written once: `index.ts` registers them with Azure, the local host runs them. */
import type { FunctionDefinition } from '../src/platform/functions/index.js';
import type { Services } from '../src/platform/runtime/services.js';
import { health } from './health.js';
import { MODEL_FUNCTIONS } from './models.js';
import { openapi } from './openapi.js';
import { score } from './score.js';

export const FUNCTIONS: readonly FunctionDefinition<Services>[] = [
  score,
  health,
  ...MODEL_FUNCTIONS,
  openapi,
];
