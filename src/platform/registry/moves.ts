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

function commitOf(intent: LedgerEntry, reason: string): NewLedgerEntry {
  return {
    action: 'commit',
    version: intent.version,
    ...(intent.alias === undefined ? {} : { alias: intent.alias }),
    ref: intent.id,
    actor: RECONCILE_ACTOR,
    actorId: RECONCILE_ACTOR,
    reason,
  };
}

/** Compares the blob with the landed moves of the ledger. */
function describe(
  alias: Alias,
  snapshot: AliasSnapshot,
  fromLedger: { version: string | null; history: string[] },
  landed: readonly LedgerEntry[],
): AliasView {
  if (snapshot.kind === 'corrupt') return { alias, snapshot, ...fromLedger, problem: snapshot.problem };
  const latest = landed[0];
  if (snapshot.kind === 'absent') {
    return latest === undefined
      ? { alias, snapshot, version: null, history: [] }
      : {
          alias,
          snapshot,
          ...fromLedger,
          problem: `the blob is missing but the ledger says ${alias} holds ${fromLedger.version}: it was deleted`,
        };
  }
  const { state } = snapshot;
  const view = { alias, snapshot, version: state.version, history: state.history };
  if (latest === undefined || state.entryId === latest.id) return view;
  if (state.entryId === undefined && state.version === latest.to) return view;
  return {
    ...view,
    problem: `the blob (${state.version}, entry ${state.entryId ?? 'none'}) is not what the ledger's last ${alias} move wrote (${latest.to}, entry ${latest.id}): it was written outside the registry`,
  };
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
 * conditional on), then the alias blob is written naming that entry, then a `commit` entry. Reading an alias
 * reconciles the two: an open intent whose write landed is committed; one whose write can no longer land
 * (the ETag moved on) or never did (older than the grace period) is closed with an `abort` entry. A crash
 * between the steps is thus detected and recorded, never lost; an alias that disagrees with the committed
 * moves (corrupt, deleted, written outside the registry) is reported.
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
        const [snapshot, { moves: recorded, committed }] = await Promise.all([
          aliases.snapshot(useCase, alias),
          ledger.moves(useCase, alias),
        ]);
        const landed = recorded.filter((m) => committed.has(m.id));
        const fromLedger = replay(landed);
        const open = recorded.find((m) => !committed.has(m.id));
        const state = snapshot.kind === 'valid' ? snapshot.state : null;
        // An open intent whose alias write landed (the process stopped before its commit): commit it now.
        if (open !== undefined && state?.entryId === open.id) {
          if (!repair) return { alias, snapshot, version: state.version, history: state.history };
          await ledger.append(useCase, commitOf(open, 'the alias write landed; committed on reconciliation'));
          continue;
        }
        if (open !== undefined) {
          const etag = snapshot.kind === 'absent' ? 'none' : snapshot.etag;
          const age = clock().getTime() - Date.parse(open.at);
          if (open.etag === etag && age < INTENT_GRACE_MS) {
            return { ...describe(alias, snapshot, fromLedger, landed), pending: open };
          }
          if (repair) {
            await abort(
              useCase,
              open,
              { actor: RECONCILE_ACTOR, actorId: RECONCILE_ACTOR },
              `the ${alias} write of this ${open.action} (${open.actor}, ${open.at}) never landed; ${alias} still holds ${state?.version ?? 'nothing'}: not applied`,
            );
            continue;
          }
        }
        return describe(alias, snapshot, fromLedger, landed);
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
      if (outcome.ok) {
        // The move happened; if this commit is lost, reconciliation writes it (the alias names the intent).
        await ledger
          .append(useCase, {
            ...commitOf(intent, `${entry.action} landed`),
            actor: entry.actor,
            actorId: entry.actorId,
          })
          .catch(() => undefined);
        return { alias: next.alias, from, to: next.version, entry: intent };
      }
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
