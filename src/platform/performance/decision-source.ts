/**
 * Scored records from the HTTP decision log, and the union of several sources (batch outputs and the log).
 */
import type { DecisionLog } from '../audit/index.js';
import type { ScoredRecord, ScoredRecordSource } from './ports.js';

/**
 * Decisions returned over HTTP (roles `champion`, `canary`, `pinned`; `shadow` results were never returned, so
 * they are not what the outcome answers), read by day from the decision log. Their inputs are not passed on as
 * training rows: PII fields in the log are keyed hashes, not the values a model would be trained on.
 */
export function createDecisionLogSource(log: Pick<DecisionLog, 'find'>): ScoredRecordSource {
  return {
    async *scored(useCase, days) {
      for (const day of days) {
        const records = await log.find({ useCase, date: day, limit: Number.MAX_SAFE_INTEGER });
        for (const r of records) {
          if (r.role === 'shadow') continue;
          const scored: ScoredRecord = {
            useCase,
            entityId: r.entityId,
            scoredOn: day,
            scoredAt: r.time,
            modelVersion: r.modelVersion,
            probability: r.probability,
            band: r.band,
            source: `http:${r.requestId}`,
          };
          yield scored;
        }
      }
    },
  };
}

/** Every record of every source, in order (the join then takes each entity's latest score). */
export function combineSources(...sources: readonly ScoredRecordSource[]): ScoredRecordSource {
  return {
    async *scored(useCase, days) {
      for (const source of sources) yield* source.scored(useCase, days);
    },
  };
}
