import type { Manifest } from '../model/index.js';
import type { StorageClients } from '../storage/index.js';
import type { Alias, ChangeOptions, LedgerEntry, RegistryUseCase } from './types.js';

export interface RegistryOptions {
  storage: StorageClients;
  /** settings.RISKOPS_MODELS_CONTAINER */
  container: string;
  /** settings.RISKOPS_LEDGER_TABLE */
  ledgerTable: string;
  /** The use cases whose models this registry accepts, with the feature vector each model must take. */
  useCases: readonly RegistryUseCase[];
  /**
   * Seeds a use case's stored approval policy when it has none (RISKOPS_REQUIRE_APPROVAL). Never overrides a
   * stored policy; ignored in Azure, where the first policy always requires approval.
   */
  requireApproval: boolean;
  /** RISKOPS_ENVIRONMENT=azure: approval policy seeded on, and no bootstrap champion without approval. */
  azure?: boolean;
  /** settings.RISKOPS_LEDGER_ARCHIVE_CONTAINER: where the write-once copy of the ledger goes (unset: none). */
  archiveContainer?: string;
  clock?: () => Date;
}

export interface PushResult {
  version: string;
  sha256: string;
  manifest: Manifest;
  /** True when the graph was rewritten to serve (a ZipMap removed); see `manifest.params.onnxRewrite`. */
  rewritten: boolean;
}

export interface PromoteOptions extends ChangeOptions {
  alias?: Alias;
  /** Optimistic check: the version the alias must hold now (`null`: it must be unset). */
  from?: string | null;
  /** Seeding only, outside Azure: a first champion from the shipped models/ folder skips approval. */
  skipApproval?: boolean;
}

export interface ChampionAt {
  version: string;
  since: string;
  entry: LedgerEntry;
}

/** Something wrong with an alias blob, as `list` reports it. */
export interface AliasProblem {
  alias: Alias;
  problem: string;
  /** What the ledger says the alias holds. */
  ledgerVersion: string | null;
}
