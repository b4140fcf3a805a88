import type { LedgerHealth } from '../registry/index.js';
import { degradedBy, type HealthReport } from './health.js';

/**
 * Adds the ledger chains' verification to a health report (DESIGN decision 10). The result comes from the
 * cached monitor and never waits on storage: a broken chain makes the instance `degraded` with the problems
 * named; a ledger that could not be read is shown but does not change the status (storage probes say that).
 */
export function withLedger<R extends HealthReport>(
  report: R,
  latest: { health: LedgerHealth; ageMs: number } | null | undefined,
  now: number,
): R & { ledger?: LedgerHealth & { ageSeconds: number } } {
  if (latest === null || latest === undefined) return report;
  const ledger = { ...latest.health, ageSeconds: Math.round(latest.ageMs / 1000) };
  if (latest.health.ok !== false) return { ...report, ledger };
  const broken = Object.entries(latest.health.useCases).flatMap(([useCase, result]) =>
    'ok' in result && !result.ok
      ? [
          `ledger of ${useCase} fails verification: ${result.problems.map((p) => (p.seq === undefined ? p.problem : `seq ${p.seq}: ${p.problem}`)).join('; ')}`,
        ]
      : [],
  );
  return { ...degradedBy(report, broken, now), ledger };
}
