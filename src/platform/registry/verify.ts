import type { LedgerVerification } from './chain.js';
import type { Registry } from './registry.js';

/** The ledger chains of several use cases, as health reports them. */
export interface LedgerHealth {
  /** true: every chain verified; false: at least one is broken; null: a ledger could not be read. */
  ok: boolean | null;
  useCases: Record<
    string,
    Pick<LedgerVerification, 'ok' | 'entries' | 'problems' | 'checkedAt'> | { error: string }
  >;
}

/**
 * Verifies the hash chain of each use case's ledger. Never throws: a ledger that cannot be read is reported
 * with its error (and `ok: null`), a broken chain with its problems (and `ok: false`).
 */
export async function verifyLedgers(
  registry: Pick<Registry, 'verifyLedger'>,
  useCases: readonly string[],
): Promise<LedgerHealth> {
  const results = await Promise.all(
    useCases.map(async (name) => {
      try {
        const { ok, entries, problems, checkedAt } = await registry.verifyLedger(name);
        return [name, { ok, entries, problems, checkedAt }] as const;
      } catch (error) {
        return [name, { error: error instanceof Error ? error.message : String(error) }] as const;
      }
    }),
  );
  const values = results.map(([, r]) => r);
  const ok = values.some((r) => 'error' in r) ? null : values.every((r) => 'ok' in r && r.ok);
  return { ok: values.some((r) => 'ok' in r && !r.ok) ? false : ok, useCases: Object.fromEntries(results) };
}
