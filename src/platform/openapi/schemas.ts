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

const Probe = z.object({ ok: z.boolean(), error: z.string().optional() });

/** `GET /api/health`. */
export const HealthBodySchema = z.object({
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  storage: z.object({ blob: Probe, queue: Probe, table: Probe }),
  models: z.record(
    z.string(),
    z.object({ version: z.string().nullable(), alias: z.string(), error: z.string().optional() }),
  ),
});
