import { z } from 'zod';

/** The movable names of a use case's models. */
export const ALIASES = ['champion', 'challenger'] as const;
export const AliasSchema = z.enum(ALIASES);
export type Alias = z.infer<typeof AliasSchema>;

/** How far back an alias remembers its earlier versions (what repeated rollbacks can walk). */
export const ALIAS_HISTORY_LIMIT = 20;

/** The content of `{useCase}/aliases/{alias}.json`: one blob, replaced whole by an ETag-guarded write. */
export const AliasStateSchema = z.object({
  alias: AliasSchema,
  version: z.string(),
  /** The version this alias held before the last move: what `rollback` returns to. */
  previous: z.string().nullable(),
  /** Earlier versions, newest first (`history[0] === previous`). */
  history: z.array(z.string()),
  movedAt: z.string(),
  movedBy: z.string(),
  reason: z.string(),
});
export type AliasState = z.infer<typeof AliasStateSchema>;

/** An alias as read, with the ETag a move must match. */
export interface AliasRead {
  state: AliasState;
  etag: string;
}

export const LEDGER_ACTIONS = ['push', 'approve', 'promote', 'rollback', 'retire'] as const;
export type LedgerAction = (typeof LEDGER_ACTIONS)[number];

/** One line of the append-only ledger. */
export interface LedgerEntry {
  /** The table row key: inverted milliseconds plus a random suffix, so newest sorts first. */
  id: string;
  useCase: string;
  at: string;
  action: LedgerAction;
  actor: string;
  reason: string;
  /** The version acted on (pushed, approved, retired, or moved to). */
  version: string;
  alias?: Alias;
  from?: string;
  to?: string;
  sha256?: string;
  /** On a promotion to champion: who approved the version. */
  approvedBy?: string;
}

/** A registered version, as listed (from blob metadata, without downloading the model). */
export interface VersionInfo {
  useCase: string;
  version: string;
  sha256: string;
  bytes: number;
  algorithm: string;
  pushedAt: string;
  pushedBy: string;
  retired: boolean;
}

/** What the registry needs of a use case: its name and the feature vector a model must take. */
export interface RegistryUseCase {
  name: string;
  /** Overrides the registry-wide separation-of-duties setting for this use case. */
  requireApproval?: boolean;
  features: { readonly names: readonly string[]; readonly hash: string; readonly width: number };
}

/** Who did something, and why: required on every change. */
export interface ChangeOptions {
  actor: string;
  reason: string;
}
