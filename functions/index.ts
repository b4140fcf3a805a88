/**
 * Azure Functions entry point (`main` in package.json): registers every definition with the v4 programming
 * model. Settings are parsed at cold start, so a bad setting fails the worker start with every bad key listed.
 */
import { app } from '@azure/functions';
import { loadSettings } from '../src/platform/config/index.js';
import { registerFunctions } from '../src/platform/functions/index.js';
import type { Services } from '../src/platform/runtime/services.js';
import { createStorageClients, storageConnectionFrom } from '../src/platform/storage/index.js';
import { createAppServices } from './app.js';
import { FUNCTIONS } from './definitions.js';

const settings = loadSettings();
let services: Promise<Services> | undefined;

registerFunctions(app, FUNCTIONS, () => {
  services ??= createAppServices(settings, createStorageClients(storageConnectionFrom(settings)));
  return services;
});
