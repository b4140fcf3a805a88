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

export interface LedgerMonitorOptions {
  registry: Pick<Registry, 'verifyLedger'>;
  useCases: readonly string[];
  /** How long a verification is reused (a full verification reads every entry). Default 60 s. */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Ledger verification for health probes: reuses the last result for `maxAgeMs`, and runs at most one
 * verification at a time (callers during a run share it). `latest()` never waits: it returns the last
 * result (null before the first) and starts a new run when the last one is stale.
 */
export function createLedgerMonitor(options: LedgerMonitorOptions) {
  const maxAge = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  let last: { at: number; health: LedgerHealth } | null = null;
  let running: Promise<LedgerHealth> | null = null;
  const refresh = (): Promise<LedgerHealth> => {
    running ??= verifyLedgers(options.registry, options.useCases).then((health) => {
      last = { at: now(), health };
      running = null;
      return health;
    });
    return running;
  };
  const stale = () => last === null || now() - last.at >= maxAge;
  return {
    /** A fresh enough result, verifying now if the last one is stale. */
    async check(): Promise<LedgerHealth> {
      return !stale() && last !== null ? last.health : refresh();
    },
    /** The last result without waiting (null before the first), refreshing in the background if stale. */
    latest(): { health: LedgerHealth; ageMs: number } | null {
      if (stale()) void refresh();
      return last === null ? null : { health: last.health, ageMs: now() - last.at };
    },
  };
}

export type LedgerMonitor = ReturnType<typeof createLedgerMonitor>;
