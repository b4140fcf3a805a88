import { z } from 'zod';
import { ERROR_STATUS } from '../errors/index.js';

/** The one error shape every route answers with (`toErrorBody`). */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [string, ...string[]]),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    requestId: z.string().optional(),
  }),
});

const Probe = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });

const Fallback = z.object({ champion: z.string().nullable(), code: z.string(), reason: z.string() });

/** What one use case serves (`ServingState` in src/platform/scoring/ports.ts). */
const Serving = z.object({
  version: z.string().nullable(),
  alias: z.string(),
  status: z.enum(['ok', 'stale', 'fallback', 'unavailable']),
  champion: z.string().nullable().optional(),
  fallback: Fallback.optional(),
  lastCheckAt: z.string().optional(),
  stalenessSeconds: z.number().optional(),
  lastError: z.object({ message: z.string(), at: z.string() }).optional(),
  retryAt: z.string().optional(),
  error: z.string().optional(),
});

/** The decision log's spool (`DecisionLogStatus`). */
const DecisionLogState = z.object({
  mode: z.enum(['direct', 'spooling']),
  pendingRecords: z.number().int(),
  since: z.string().optional(),
  lastError: z.string().optional(),
  rejectedRecords: z.number().int(),
  corruptSegments: z.number().int(),
  /** The table index of a log committed to blobs (`DecisionIndexStatus`). */
  index: z
    .object({
      pendingBytes: z.number().int(),
      indexedRecords: z.number().int(),
      unreadableLines: z.number().int(),
      unindexableRecords: z.number().int(),
      lastRoundAt: z.string().optional(),
      lastError: z.string().optional(),
    })
    .optional(),
});

/** The ledger chains' last verification (`LedgerHealth`, cached). */
const LedgerState = z.object({
  ok: z.boolean().nullable(),
  ageSeconds: z.number(),
  useCases: z.record(
    z.string(),
    z.union([
      z.object({
        ok: z.boolean(),
        entries: z.number().int(),
        problems: z.array(
          z.object({ seq: z.number().int().optional(), id: z.string().optional(), problem: z.string() }),
        ),
        checkedAt: z.string(),
      }),
      z.object({ error: z.string() }),
    ]),
  ),
});

/** `GET /api/health` (`HealthReport` with the decision log and ledger blocks). */
export const HealthBodySchema = z.object({
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  degraded: z.object({ since: z.string(), seconds: z.number(), reasons: z.array(z.string()) }).optional(),
  storage: z.object({ blob: Probe, queue: Probe, table: Probe }),
  models: z.record(z.string(), Serving),
  decisionLog: DecisionLogState.optional(),
  ledger: LedgerState.optional(),
});
