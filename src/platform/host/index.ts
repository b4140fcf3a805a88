/** @module The local Function host: `func start` for this project — HTTP, timers, queue triggers and the admin API. */
export { type AdminApi, type FunctionInfo, handleAdmin, type InvokeOutcome } from './admin.js';
export { describeConnection, exportLocalSettings } from './app-settings.js';
export {
  AZURITE_ENDPOINTS_FILE,
  type AzuriteEndpoints,
  azuriteEndpointsPath,
  readAzuriteEndpoints,
} from './azurite-endpoints.js';
export {
  type EmbeddedAzurite,
  type EmbeddedAzuriteOptions,
  isRunning,
  startEmbeddedAzurite,
  startWatchdog,
  stopProcess,
  stopStaleAzurite,
} from './embedded-azurite.js';
export {
  type HostConfig,
  HostConfigSchema,
  loadHostConfig,
  parseHostConfig,
  parseTimeSpan,
  type QueueListenerSettings,
  serviceBusQueueSettings,
  storageQueueSettings,
} from './host-config.js';
export { createKeyCheck, type HostKeys, type KeyCheck } from './keys.js';
export { createLocalHost, type LocalHost, type LocalHostOptions } from './local-host.js';
export { createConsoleLogger, type HostLogger, type HostLogSeverity, SILENT_LOGGER } from './logger.js';
export { decodeMessageText, messageInput } from './queue-message.js';
export { byPrecedence, type CompiledRoute, compileRoute } from './routes.js';
export { checkSchedule, resolveSettingRefs } from './timers.js';
