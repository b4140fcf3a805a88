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
  /** Principal id of who moved it (absent on aliases written before ids were recorded). */
  movedById: z.string().optional(),
  reason: z.string(),
  /** The ledger entry (the move's intent) this state was written for: how alias and ledger are reconciled. */
  entryId: z.string().optional(),
});
export type AliasState = z.infer<typeof AliasStateSchema>;

/** An alias as read, with the ETag a move must match. */
export interface AliasRead {
  state: AliasState;
  etag: string;
}

/**
 * An alias blob as found, even when its content is not a valid alias document: a corrupt blob still has an
 * ETag, so a repairing move can replace exactly it without parsing it.
 */
export type AliasSnapshot =
  | { kind: 'absent' }
  | { kind: 'valid'; state: AliasState; etag: string }
  | { kind: 'corrupt'; etag: string; problem: string };

/**
 * `promote`/`rollback` are written as intents before the alias moves; `commit` marks an intent whose alias
 * write landed, `abort` one whose write never did; `policy` records a change of the approval policy.
 */
export const LEDGER_ACTIONS = [
  'push',
  'approve',
  'promote',
  'rollback',
  'retire',
  'commit',
  'abort',
  'policy',
] as const;
export type LedgerAction = (typeof LEDGER_ACTIONS)[number];

/** One line of the append-only, hash-chained ledger. */
export interface LedgerEntry {
  /** The table row key: inverted milliseconds plus a random suffix, so newest sorts first. */
  id: string;
  useCase: string;
  at: string;
  /** Position in the use case's chain, from 1 (absent on entries written before the chain). */
  seq?: number;
  /** `hash` of the entry at `seq - 1` (64 zeros for the first). */
  prevHash?: string;
  /** sha256 of the canonical JSON of every other field. */
  hash?: string;
  action: LedgerAction;
  actor: string;
  /** The actor's principal id: what separation of duties compares. */
  actorId?: string;
  reason: string;
  /** The version acted on (pushed, approved, retired, or moved to); empty for a policy change. */
  version: string;
  alias?: Alias;
  from?: string;
  to?: string;
  sha256?: string;
  /** On a promotion to champion: who approved the version. */
  approvedBy?: string;
  approvedById?: string;
  /** On a move: the alias ETag the move is conditional on (`none`: the alias did not exist). */
  etag?: string;
  /** On a commit or abort: the id of the intent that took effect, or never did. */
  ref?: string;
  /** On a policy change: the new setting. */
  requireApproval?: boolean;
  /**
   * Derived, not stored (and not hashed): on a move as `history` shows it, whether its alias write landed
   * (`committed`), never did (`aborted`, with the abort's reason), or may still be landing (`pending`).
   */
  outcome?: 'committed' | 'aborted' | 'pending';
  outcomeReason?: string;
}

/** The stored approval policy of a use case (`{useCase}/policy.json`). */
export const PolicySchema = z.object({
  requireApproval: z.boolean(),
  changedAt: z.string(),
  changedBy: z.string(),
  changedById: z.string(),
  reason: z.string(),
  /** The `policy` ledger entry this state was written for. */
  entryId: z.string(),
});
export type Policy = z.infer<typeof PolicySchema>;

/** A registered version, as listed (from blob metadata, without downloading the model). */
export interface VersionInfo {
  useCase: string;
  version: string;
  sha256: string;
  bytes: number;
  algorithm: string;
  pushedAt: string;
  pushedBy: string;
  /** Principal id of the pusher (equals `pushedBy` for versions pushed before ids were recorded). */
  pushedById: string;
  retired: boolean;
}

/** What the registry needs of a use case: its name and the feature vector a model must take. */
export interface RegistryUseCase {
  name: string;
  /** Seeds this use case's stored approval policy when it has none (outside Azure; Azure always seeds `true`). */
  requireApproval?: boolean;
  features: { readonly names: readonly string[]; readonly hash: string; readonly width: number };
}

/** Who did something, and why: required on every change. */
export interface ChangeOptions {
  /** Display name written to the ledger. */
  actor: string;
  /** Principal id compared for separation of duties (defaults to `actor`). */
  actorId?: string;
  reason: string;
}
