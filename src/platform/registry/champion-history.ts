import type { Registry } from './registry.js';
import type { AliasState } from './types.js';

/** How many ledger entries to read when the alias cannot name its own history. */
const LEDGER_SCAN = 100;

/**
 * Versions that were champion of `useCase` before, newest first, to fall back on when the champion cannot be
 * served: the alias's own history when it could be read, else the champion moves recorded in the ledger
 * (their `to` and `from`). Read-only; `exclude` (the failing champion) is left out.
 */
export async function earlierChampions(
  registry: Registry,
  useCase: string,
  alias: AliasState | null,
  exclude: string | null,
): Promise<string[]> {
  const seen = new Set<string>(exclude === null ? [] : [exclude]);
  const out: string[] = [];
  const add = (version: string | undefined): void => {
    if (version === undefined || version === '' || seen.has(version)) return;
    seen.add(version);
    out.push(version);
  };
  if (alias !== null) {
    for (const version of alias.history) add(version);
    return out;
  }
  for (const entry of await registry.history(useCase, { limit: LEDGER_SCAN })) {
    if (entry.alias !== 'champion' || (entry.action !== 'promote' && entry.action !== 'rollback')) continue;
    add(entry.to);
    add(entry.from);
  }
  return out;
}
