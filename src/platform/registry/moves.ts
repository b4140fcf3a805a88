import { RiskopsError } from '../errors/index.js';
import type { Aliases } from './aliases.js';
import type { Ledger, NewLedgerEntry } from './ledger.js';
import {
  ALIAS_HISTORY_LIMIT,
  type Alias,
  type AliasSnapshot,
  type AliasState,
  type LedgerEntry,
} from './types.js';

/** An intent younger than this whose alias write has not landed may still be in flight: left alone. */
export const INTENT_GRACE_MS = 30_000;
/** The alias write of a move gives up after this, well inside the grace period. */
export const ALIAS_WRITE_TIMEOUT_MS = 10_000;
/** The ledger actor of reconciliation entries. */
export const RECONCILE_ACTOR = 'riskops-reconcile';

/** An alias as the registry understands it: the blob, and the version and history a move starts from. */
export interface AliasView {
  alias: Alias;
  snapshot: AliasSnapshot;
  /** What the alias holds (from the blob; from the ledger when the blob is corrupt or missing). */
  version: string | null;
  history: string[];
  /** What is wrong with the blob (corrupt, deleted, or written outside the registry). */
  problem?: string;
  /** A move whose alias write may still be landing. */
  pending?: LedgerEntry;
}

export interface Move {
  alias: Alias;
  from: string | null;
  to: string;
  entry: LedgerEntry;
}

/** Replays committed moves (newest first in, oldest applied first) into the alias they produce. */
export function replay(moves: readonly LedgerEntry[]): { version: string | null; history: string[] } {
  let version: string | null = null;
  let history: string[] = [];
  for (const move of [...moves].reverse()) {
    if (move.to === undefined) continue;
    if (move.action === 'promote') {
      if (version !== null) history = [version, ...history].slice(0, ALIAS_HISTORY_LIMIT);
    } else {
      history = history.slice(1);
    }
    version = move.to;
  }
  return { version, history };
}

/**
 * Alias moves with the ledger written first: a move is appended as an intent (naming the alias ETag it is
 * conditional on), then the alias blob is written naming that entry. Reading an alias reconciles the two: an
 * intent whose write can no longer land (the ETag moved on) or never landed (older than the grace period) is
 * closed with an `abort` entry, so a crash between the two writes is detected and recorded, never lost.
 */
export function createMoves(aliases: Aliases, ledger: Ledger, clock: () => Date) {
  const abort = (
    useCase: string,
    intent: LedgerEntry,
    actor: { actor: string; actorId: string },
    why: string,
  ) =>
    ledger.append(useCase, {
      action: 'abort',
      version: intent.version,
      ...(intent.alias === undefined ? {} : { alias: intent.alias }),
      ref: intent.id,
      ...actor,
      reason: why,
    });

  const moves = {
    /**
     * The alias and what it holds. With `repair`, intents that did not land are closed with an abort entry.
     */
    async view(useCase: string, alias: Alias, repair: boolean): Promise<AliasView> {
      for (let round = 0; round < 10; round++) {
        const [snapshot, recorded] = await Promise.all([
          aliases.snapshot(useCase, alias),
          ledger.moves(useCase, alias),
        ]);
        const latest = recorded[0];
        const fromLedger = replay(recorded);
        if (snapshot.kind === 'corrupt') return { alias, snapshot, ...fromLedger, problem: snapshot.problem };
        if (latest === undefined) {
          return snapshot.kind === 'valid'
            ? { alias, snapshot, version: snapshot.state.version, history: snapshot.state.history }
            : { alias, snapshot, version: null, history: [] };
        }
        if (snapshot.kind === 'valid') {
          const { state } = snapshot;
          const matches =
            state.entryId === latest.id || (state.entryId === undefined && state.version === latest.to);
          if (matches) return { alias, snapshot, version: state.version, history: state.history };
          if (state.entryId !== undefined && !recorded.some((m) => m.id === state.entryId)) {
            return {
              alias,
              snapshot,
              ...fromLedger,
              problem: `the blob names ledger entry ${state.entryId}, which the ledger does not hold as a move of ${alias}: it was written outside the registry`,
            };
          }
        } else if (latest.etag !== 'none') {
          return {
            alias,
            snapshot,
            ...fromLedger,
            problem: `the blob is missing but the ledger says ${alias} holds ${fromLedger.version}: it was deleted`,
          };
        }
        // The newest intent did not land (yet).
        const etag = snapshot.kind === 'valid' ? snapshot.etag : 'none';
        const held = snapshot.kind === 'valid' ? snapshot.state.version : null;
        const age = clock().getTime() - Date.parse(latest.at);
        const mayLand = latest.etag === etag && age < INTENT_GRACE_MS;
        const view: AliasView = {
          alias,
          snapshot,
          version: held,
          history: snapshot.kind === 'valid' ? snapshot.state.history : [],
        };
        if (mayLand || !repair) return { ...view, pending: latest };
        await abort(
          useCase,
          latest,
          { actor: RECONCILE_ACTOR, actorId: RECONCILE_ACTOR },
          `the ${alias} write of this ${latest.action} (${latest.actor}, ${latest.at}) never landed; ${alias} still holds ${held ?? 'nothing'}: not applied`,
        );
      }
      throw new RiskopsError('conflict', `The ${alias} of ${useCase} keeps moving; try again`);
    },

    /**
     * Writes the intent, then the alias (ETag-guarded, bounded in time).
     * @throws RiskopsError `conflict` when another move landed first (the intent is aborted), or
     *   `storage_unavailable` when the alias write failed (the intent is reconciled on a later read).
     */
    async move(
      useCase: string,
      view: AliasView,
      next: Omit<AliasState, 'entryId'>,
      entry: Omit<NewLedgerEntry, 'alias' | 'from' | 'to' | 'version' | 'etag'> & { actorId: string },
    ): Promise<Move> {
      const etag = view.snapshot.kind === 'absent' ? null : view.snapshot.etag;
      const from = view.version;
      const intent = await ledger.append(useCase, {
        ...entry,
        alias: next.alias,
        version: next.version,
        to: next.version,
        ...(from === null ? {} : { from }),
        etag: etag ?? 'none',
      });
      const outcome = await aliases.write(
        useCase,
        { ...next, entryId: intent.id },
        etag,
        AbortSignal.timeout(ALIAS_WRITE_TIMEOUT_MS),
      );
      if (outcome.ok) return { alias: next.alias, from, to: next.version, entry: intent };
      if ('lost' in outcome) {
        await abort(
          useCase,
          intent,
          entry,
          `${next.alias} moved while this ${entry.action} was in flight: not applied`,
        );
        const now = await aliases.snapshot(useCase, next.alias);
        const holder =
          now.kind === 'valid'
            ? `${now.state.version} (moved by ${now.state.movedBy} at ${now.state.movedAt})`
            : now.kind;
        throw new RiskopsError(
          'conflict',
          `${next.alias} of ${useCase} moved while this change was in flight; it is now ${holder}. Nothing was changed: re-read and retry if still wanted`,
          { details: { alias: next.alias, current: now.kind === 'valid' ? now.state.version : null } },
        );
      }
      throw new RiskopsError(
        'storage_unavailable',
        `The ${entry.action} of ${useCase} ${next.alias} to ${next.version} was recorded as ledger intent ${intent.id}, but the alias write failed; nothing moved. The registry closes the intent on a later read; retry the ${entry.action}`,
        { cause: outcome.error, details: { intent: intent.id } },
      );
    },
  };
  return moves;
}

export type Moves = ReturnType<typeof createMoves>;
