/**
 * Scored records from nightly batch outputs: `{container}/{useCase}/{day}/{runId}/part-{n}.jsonl`, one JSON
 * object per line (the input's key columns plus `entityId`, `probability`, `band`, `action`, `modelVersion`).
 * A run is complete when its `_SUCCESS.json` exists; per day only the latest complete run counts (by the
 * marker's write time), so a re-run replaces rather than doubles a day and a half-written run is ignored.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { RiskopsError } from '../errors/index.js';
import type { ScoredRecord, ScoredRecordSource } from './ports.js';

export const SUCCESS_MARKER = '_SUCCESS.json';
const PART = /^part-(\d+)\.jsonl$/;

const OutputRowSchema = z.looseObject({
  entityId: z.string().min(1),
  probability: z.number().min(0).max(1),
  modelVersion: z.string().min(1),
  band: z.string().optional(),
  action: z.string().optional(),
  scoredAt: z.string().optional(),
});
const SCORE_FIELDS = new Set(['entityId', 'probability', 'modelVersion', 'band', 'action', 'scoredAt']);

interface Run {
  runId: string;
  completedAt?: number;
  parts: { name: string; n: number }[];
}

export function createBatchOutputSource(container: ContainerClient): ScoredRecordSource {
  const latestCompleteRun = async (useCase: string, day: string): Promise<Run | undefined> => {
    const runs = new Map<string, Run>();
    const prefix = `${useCase}/${day}/`;
    for await (const blob of container.listBlobsFlat({ prefix })) {
      const [runId, file, ...rest] = blob.name.slice(prefix.length).split('/');
      if (runId === undefined || file === undefined || rest.length > 0) continue;
      const run = runs.get(runId) ?? { runId, parts: [] };
      runs.set(runId, run);
      if (file === SUCCESS_MARKER) run.completedAt = blob.properties.lastModified?.getTime() ?? 0;
      const part = PART.exec(file);
      if (part !== null) run.parts.push({ name: blob.name, n: Number(part[1]) });
    }
    const complete = [...runs.values()].filter((r) => r.completedAt !== undefined);
    complete.sort((a, b) => (b.completedAt ?? 0) - (a.completedAt ?? 0) || (a.runId < b.runId ? 1 : -1));
    return complete[0];
  };

  return {
    async *scored(useCase, days) {
      if (!(await container.exists())) return;
      for (const day of days) {
        const run = await latestCompleteRun(useCase, day);
        if (run === undefined) continue;
        for (const part of run.parts.sort((a, b) => a.n - b.n)) {
          const text = (await container.getBlobClient(part.name).downloadToBuffer()).toString('utf8');
          let line = 0;
          for (const raw of text.split('\n')) {
            line++;
            if (raw.trim() === '') continue;
            let value: unknown;
            try {
              value = JSON.parse(raw);
            } catch {
              throw new RiskopsError('data_contract', `${part.name}:${line}: not valid JSON`);
            }
            const parsed = OutputRowSchema.safeParse(value);
            if (!parsed.success) {
              const issue = parsed.error.issues[0];
              throw new RiskopsError(
                'data_contract',
                `${part.name}:${line}: ${issue?.path.join('.') ?? 'row'}: ${issue?.message ?? 'invalid'}`,
              );
            }
            const row = parsed.data;
            const record: Record<string, unknown> = {};
            for (const [key, v] of Object.entries(row)) if (!SCORE_FIELDS.has(key)) record[key] = v;
            const scored: ScoredRecord = {
              useCase,
              entityId: row.entityId,
              scoredOn: day,
              modelVersion: row.modelVersion,
              probability: row.probability,
              source: `batch:${run.runId}`,
              record,
              ...(row.band === undefined ? {} : { band: row.band }),
              ...(row.scoredAt === undefined ? {} : { scoredAt: row.scoredAt }),
            };
            yield scored;
          }
        }
      }
    },
  };
}
