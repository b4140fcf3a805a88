import type { ContainerClient } from '@azure/storage-blob';
import type { QueueClient } from '@azure/storage-queue';
import { z } from 'zod';
import type { ModelProvider } from '../scoring/index.js';
import type { TabularItem } from '../tabular/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { utcDate } from './paths.js';
import { createRowScorer } from './rows.js';
import type { ChunkCounts, ScoreObserver } from './types.js';

/** `{ useCase, records }` (one record or an array), with an optional caller id echoed in the result. */
export const EventMessageSchema = z.object({
  useCase: z.string().min(1),
  id: z.string().min(1).max(200).optional(),
  records: z.union([z.array(z.unknown()).min(1).max(1000), z.record(z.string(), z.unknown())]),
});

/** What lands on `score-results` for every event message (results inline while the message stays small). */
export interface EventResult {
  messageId: string;
  id?: string;
  useCase: string;
  modelVersion: string;
  scored: number;
  rejected: number;
  outputs: string;
  rejects: string;
  results?: Record<string, unknown>[];
  rejectedRecords?: { index: number; reasons: string[] }[];
}

export interface EventScorerOptions {
  useCases: readonly AnyUseCase[];
  models: ModelProvider;
  outputs: ContainerClient;
  results: QueueClient;
  poison: QueueClient;
  /** The requests queue, named in reject sources. */
  queueName: string;
  observe?: ScoreObserver | undefined;
  now?: () => Date;
}

/** Inline results only while the result message stays well under the 64 KB queue limit. */
const INLINE_BYTES = 40_000;

export type EventOutcome = { status: 'scored'; result: EventResult } | { status: 'poisoned'; reason: string };

/**
 * Scores one `score-requests` message through the batch row path (so the same validation, features and
 * ONNX run as HTTP): every record is either in the outputs or a reject with its reasons. A message that is
 * not an event (bad JSON, unknown use case, no records) goes to `score-requests-poison` with its reason
 * instead of being retried; a failure of the platform (no model, storage) throws, so the host retries it.
 */
export function createEventScorer(
  options: EventScorerOptions,
): (message: unknown, messageId: string) => Promise<EventOutcome> {
  const now = options.now ?? (() => new Date());
  const poison = async (message: unknown, reason: string): Promise<EventOutcome> => {
    await options.poison.createIfNotExists();
    const body = JSON.stringify({ reason, message });
    await options.poison.sendMessage(Buffer.from(body).toString('base64'));
    return { status: 'poisoned', reason };
  };
  return async (message, messageId) => {
    let value = message;
    if (typeof message === 'string') {
      try {
        value = JSON.parse(message) as unknown;
      } catch {
        return poison(message, 'message is not JSON');
      }
    }
    const parsed = EventMessageSchema.safeParse(value);
    if (!parsed.success)
      return poison(
        value,
        parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
      );
    const { useCase: name, records, id } = parsed.data;
    const useCase = options.useCases.find((u) => u.name === name);
    if (useCase === undefined)
      return poison(
        value,
        `useCase: unknown use case '${name}' (known: ${options.useCases.map((u) => u.name).join(', ')})`,
      );
    const list = Array.isArray(records) ? records : [records];
    const model = await options.models.get(useCase.name);
    const items: TabularItem[] = list.map((record, i) =>
      typeof record === 'object' && record !== null && !Array.isArray(record)
        ? { line: i + 1, raw: JSON.stringify(record), row: record as Record<string, unknown> }
        : { line: i + 1, raw: JSON.stringify(record) ?? 'undefined', error: 'not a JSON object' },
    );
    const score = createRowScorer({ useCase, model, format: 'jsonl', observe: options.observe });
    const scored = await score(items, `queue:${options.queueName}/${messageId}`);
    const base = `${useCase.name}/events/${utcDate(now())}/${messageId}`;
    await options.outputs.createIfNotExists();
    const put = (path: string, text: string) =>
      options.outputs.getBlockBlobClient(path).upload(text, Buffer.byteLength(text), {
        blobHTTPHeaders: { blobContentType: 'application/x-ndjson' },
      });
    await Promise.all([put(`${base}.jsonl`, scored.output), put(`${base}.rejects.jsonl`, scored.rejects)]);
    const result = resultOf(messageId, id, useCase.name, model.version, scored.counts, base);
    const inline = {
      results: lines(scored.output),
      rejectedRecords: lines(scored.rejects).map((r) => ({
        index: Number(r.line) - 1,
        reasons: r.reasons as string[],
      })),
    };
    const full = { ...result, ...inline };
    const text = JSON.stringify(Buffer.byteLength(JSON.stringify(full)) <= INLINE_BYTES ? full : result);
    await options.results.createIfNotExists();
    await options.results.sendMessage(Buffer.from(text).toString('base64'));
    return { status: 'scored', result: JSON.parse(text) as EventResult };
  };
}

function lines(text: string): Record<string, unknown>[] {
  return text === ''
    ? []
    : text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function resultOf(
  messageId: string,
  id: string | undefined,
  useCase: string,
  modelVersion: string,
  counts: ChunkCounts,
  base: string,
): EventResult {
  const result: EventResult = {
    messageId,
    useCase,
    modelVersion,
    scored: counts.scored,
    rejected: counts.rejected,
    outputs: `${base}.jsonl`,
    rejects: `${base}.rejects.jsonl`,
  };
  if (id !== undefined) result.id = id;
  return result;
}
