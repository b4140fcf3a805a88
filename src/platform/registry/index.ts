/** @module Model registry: immutable ONNX versions in Blob Storage, ETag-guarded aliases, a hash-chained ledger. */
export type { ChainProblem, LedgerVerification } from './chain.js';
export { canonicalJson, entryHash, verifyChain } from './chain.js';
export { checkFeatureNames, checkSession, type ModelIo, openSession } from './contract.js';
export {
  type ExternalManifest,
  ExternalManifestSchema,
  type ExternalPushOptions,
  pushExternal,
} from './external.js';
export {
  CLIENT_PRINCIPAL_HEADER,
  encodeClientPrincipal,
  localActor,
  localPrincipal,
  type Principal,
  parseClientPrincipal,
  requestPrincipal,
} from './identity.js';
export { INTENT_GRACE_MS, RECONCILE_ACTOR } from './moves.js';
export { type EffectivePolicy, POLICY_SEED_ACTOR } from './policy.js';
export { createRegistryModelProvider, type RegistryModelProviderOptions } from './provider.js';
export {
  type AliasProblem,
  type ChampionAt,
  createRegistry,
  type Move,
  type PromoteOptions,
  type PushResult,
  type Registry,
  type RegistryOptions,
} from './registry.js';
export { SEED_REASON, type SeedOutcome, seedRegistryFromDirectory } from './seed.js';
export { approvalRequired, createRegistryFromSettings } from './settings.js';
export { versionId } from './store.js';
export * from './types.js';
export {
  ActorSchema,
  checkVersionId,
  MAX_ACTOR_LENGTH,
  MAX_REASON_LENGTH,
  ReasonSchema,
  VERSION_PATTERN,
  VersionIdSchema,
} from './validation.js';
export {
  createLedgerMonitor,
  type LedgerHealth,
  type LedgerMonitor,
  type LedgerMonitorOptions,
  verifyLedgers,
} from './verify.js';
export { removeZipMap, type ZipMapRemoval } from './zipmap.js';
