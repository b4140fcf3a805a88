import type { LedgerEntry } from './types.js';

/**
 * The ledger as people read it: each move carries its `outcome` (its alias write landed, never did, or may
 * still be landing), and the bookkeeping `commit`/`abort` entries that say so are folded into it.
 * @param all every entry of the use case (to find outcomes written after the shown range)
 * @param shown the entries to present, newest first
 */
export function foldOutcomes(all: readonly LedgerEntry[], shown: readonly LedgerEntry[]): LedgerEntry[] {
  const outcomes = new Map<string, LedgerEntry>();
  for (const e of all) {
    if ((e.action === 'commit' || e.action === 'abort') && e.ref !== undefined) outcomes.set(e.ref, e);
  }
  return shown
    .filter((e) => e.action !== 'commit' && e.action !== 'abort')
    .map((e): LedgerEntry => {
      if (e.action !== 'promote' && e.action !== 'rollback') return e;
      const closed = outcomes.get(e.id);
      if (closed === undefined) return { ...e, outcome: e.seq === undefined ? 'committed' : 'pending' };
      return closed.action === 'commit'
        ? { ...e, outcome: 'committed' }
        : { ...e, outcome: 'aborted', outcomeReason: closed.reason };
    });
}
