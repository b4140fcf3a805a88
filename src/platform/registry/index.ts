/** @module Model registry: immutable ONNX versions in Blob Storage, ETag-guarded aliases, an append-only ledger. */
export { checkFeatureNames, checkSession, type ModelIo, openSession } from './contract.js';
export {
  type ExternalManifest,
  ExternalManifestSchema,
  type ExternalPushOptions,
  pushExternal,
} from './external.js';
export { createRegistryModelProvider, type RegistryModelProviderOptions } from './provider.js';
export {
  type ChampionAt,
  createRegistry,
  type Move,
  type PromoteOptions,
  type PushResult,
  type Registry,
  type RegistryOptions,
} from './registry.js';
export { SEED_REASON, type SeedOutcome, seedRegistryFromDirectory } from './seed.js';
export {
  approvalRequired,
  createRegistryFromSettings,
  localActor,
  PRINCIPAL_HEADER,
  requestActor,
} from './settings.js';
export { VERSION_PATTERN, versionId } from './store.js';
export * from './types.js';
export { removeZipMap, type ZipMapRemoval } from './zipmap.js';
