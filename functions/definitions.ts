/** Every function of the app, written once: `index.ts` registers them with Azure, the local host runs them. */
import type { FunctionDefinition } from '../src/platform/functions/index.js';
import type { Services } from '../src/platform/runtime/services.js';
import { withScoreLatency } from '../src/platform/telemetry/index.js';
import { BATCH_FUNCTIONS } from './batch.js';
import { driftMonitor } from './drift-monitor.js';
import { health } from './health.js';
import { indexDecisions } from './index-decisions.js';
import { MODEL_FUNCTIONS } from './models.js';
import { openapi } from './openapi.js';
import { performanceMonitor } from './performance.js';
import { retrain } from './retrain.js';
import { score } from './score.js';

export const FUNCTIONS: readonly FunctionDefinition<Services>[] = [
  withScoreLatency(score),
  health,
  ...MODEL_FUNCTIONS,
  openapi,
  driftMonitor,
  ...BATCH_FUNCTIONS,
  retrain,
  performanceMonitor,
  indexDecisions,
];
