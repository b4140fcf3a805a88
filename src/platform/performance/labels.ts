/**
 * Outcome drops: `{labels container}/{useCase}/{YYYY-MM-DD}.csv|jsonl`, one outcome per row with
 * `entityId` (or `entity_id`), `outcome` (0/1, true/false) and `observedAt` (or `observed_at`; ISO date or
 * time). A row that is not usable is listed with its file, line and reason, never silently dropped.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { parseCsvRecord } from '../training/index.js';

const LABEL_FILE = /^(\d{4}-\d{2}-\d{2})\.(csv|jsonl)$/;

export interface LabelRecord {
  entityId: string;
  outcome: 0 | 1;
  observedAt: string;
  file: string;
  line: number;
}

export interface LabelReject {
  file: string;
  line: number;
  reason: string;
}

export interface LabelDrop {
  file: string;
  date: string;
  labels: LabelRecord[];
}

const outcome = z.union([
  z.literal(0),
  z.literal(1),
  z.boolean().transform((b) => (b ? 1 : 0)),
  z.enum(['0', '1', 'true', 'false']).transform((s) => (s === '1' || s === 'true' ? 1 : 0)),
]);
const LabelRowSchema = z.object({
  entityId: z.union([z.string().min(1), z.number().transform(String)]),
  outcome,
  observedAt: z.union([z.iso.date(), z.iso.datetime({ offset: true })]),
});

function normalise(row: Record<string, unknown>): Record<string, unknown> {
  return {
    entityId: row.entityId ?? row.entity_id,
    outcome: row.outcome,
    observedAt: row.observedAt ?? row.observed_at,
  };
}

function rowsOf(
  text: string,
  csv: boolean,
): { line: number; row?: Record<string, unknown>; error?: string }[] {
  const lines = text.split(/\r?\n/);
  const out: { line: number; row?: Record<string, unknown>; error?: string }[] = [];
  let header: string[] | undefined;
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const line = i + 1;
    if (!csv) {
      try {
        const value: unknown = JSON.parse(raw);
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          out.push({ line, error: 'not a JSON object' });
        else out.push({ line, row: value as Record<string, unknown> });
      } catch {
        out.push({ line, error: 'invalid JSON' });
      }
      return;
    }
    const cells = parseCsvRecord(raw);
    if (!Array.isArray(cells)) {
      out.push({ line, error: cells.error });
      return;
    }
    if (header === undefined) {
      header = cells.map((c) => c.trim().replace(/^\uFEFF/, ''));
      return;
    }
    if (cells.length !== header.length) {
      out.push({ line, error: `expected ${header.length} cells, got ${cells.length}` });
      return;
    }
    out.push({ line, row: Object.fromEntries(header.map((h, j) => [h, cells[j]])) });
  });
  return out;
}

/** Reads every label drop of `useCase` dated on or before `asOf`, oldest first. */
export async function readLabelDrops(
  container: ContainerClient,
  useCase: string,
  asOf: string,
): Promise<{ drops: LabelDrop[]; rejects: LabelReject[] }> {
  const drops: LabelDrop[] = [];
  const rejects: LabelReject[] = [];
  if (!(await container.exists())) return { drops, rejects };
  const names: { name: string; date: string; csv: boolean }[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: `${useCase}/` })) {
    const match = LABEL_FILE.exec(blob.name.slice(useCase.length + 1));
    if (match?.[1] !== undefined && match[1] <= asOf)
      names.push({ name: blob.name, date: match[1], csv: match[2] === 'csv' });
  }
  names.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const { name, date, csv } of names) {
    const text = (await container.getBlobClient(name).downloadToBuffer()).toString('utf8');
    const labels: LabelRecord[] = [];
    for (const { line, row, error } of rowsOf(text, csv)) {
      if (row === undefined) {
        rejects.push({ file: name, line, reason: error ?? 'unreadable' });
        continue;
      }
      const parsed = LabelRowSchema.safeParse(normalise(row));
      if (!parsed.success) {
        const reason = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        rejects.push({ file: name, line, reason });
        continue;
      }
      labels.push({ ...parsed.data, outcome: parsed.data.outcome as 0 | 1, file: name, line });
    }
    drops.push({ file: name, date, labels });
  }
  return { drops, rejects };
}
