/**
 * Azure Functions entry point (`main` in package.json): registers every definition with the v4 programming
 * model. Settings are parsed at cold start, so a bad setting fails the worker start with every bad key listed.
 * Services are created on first use and never cached as failed: storage down at cold start means 503s and a
 * retry with back-off, not a worker broken until restart.
 */
import { app } from '@azure/functions';
import { loadSettings } from '../src/platform/config/index.js';
import { registerFunctions } from '../src/platform/functions/index.js';
import { createRetrying } from '../src/platform/runtime/retrying.js';
import { createStorageClients, storageConnectionFrom } from '../src/platform/storage/index.js';
import { createAppServices } from './app.js';
import { FUNCTIONS } from './definitions.js';

const settings = loadSettings();
const storage = createStorageClients(storageConnectionFrom(settings), {
  fastTimeoutMs: settings.RISKOPS_STORAGE_FAST_TIMEOUT_MS,
});

registerFunctions(
  app,
  FUNCTIONS,
  createRetrying(() => createAppServices(settings, storage), { maxMs: settings.RISKOPS_RETRY_MAX_MS }),
);
