import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { RiskopsError } from '../errors/index.js';

const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

/** Parses a .NET TimeSpan string (`[d.]hh:mm:ss[.fffffff]`) to milliseconds, or undefined when malformed. */
export function parseTimeSpan(text: string): number | undefined {
  const match = TIME_SPAN.exec(text.trim());
  if (match === null) return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  if (Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const whole = ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
  return Math.round((whole + (fraction === '' ? 0 : Number(`0.${fraction}`))) * 1000);
}

/** A host.json TimeSpan ('hh:mm:ss'), parsed to milliseconds. */
const timeSpan = z.string().transform((text, ctx) => {
  const ms = parseTimeSpan(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `'${text}' is not a TimeSpan like 'hh:mm:ss'` });
    return z.NEVER;
  }
  return ms;
});

const QueuesSchema = z.looseObject({
  /** Messages fetched per poll (the real host caps it at 32). */
  batchSize: z.number().int().min(1).max(32).default(16),
  /** Fetch the next batch when in-flight messages drop to this; defaults to batchSize / 2. */
  newBatchThreshold: z.number().int().min(0).optional(),
  /** Upper bound of the exponential back-off while the queue is empty (ms). */
  maxPollingInterval: timeSpan.default(60_000),
  /** How long a failed message stays invisible before it is retried (ms). */
  visibilityTimeout: timeSpan.default(0),
  /** Deliveries before a failing message is moved to `<queue>-poison`. */
  maxDequeueCount: z.number().int().min(1).default(5),
  messageEncoding: z.enum(['base64', 'none']).default('base64'),
});

const ServiceBusSchema = z.looseObject({
  maxConcurrentCalls: z.number().int().min(1).default(16),
  prefetchCount: z.number().int().min(0).default(0),
  autoCompleteMessages: z.boolean().default(true),
  maxAutoLockRenewalDuration: timeSpan.default(300_000),
  /**
   * Not a real host.json key (Service Bus sets it on the queue entity); the local stand-in reads it, when
   * present, as the number of deliveries before a message is dead-lettered to `<queue>-poison`.
   */
  maxDeliveryCount: z.number().int().min(1).optional(),
});

const LogLevelName = z.enum(['Trace', 'Debug', 'Information', 'Warning', 'Error', 'Critical', 'None']);

/** The parts of a v4 `host.json` the local host reads; other keys are kept and ignored. TimeSpans are ms. */
export const HostConfigSchema = z.looseObject({
  version: z.literal('2.0'),
  functionTimeout: timeSpan.optional(),
  extensionBundle: z.looseObject({ id: z.string().min(1), version: z.string().min(1) }).optional(),
  logging: z.looseObject({ logLevel: z.record(z.string(), LogLevelName).default({}) }).prefault({}),
  extensions: z
    .looseObject({
      queues: QueuesSchema.prefault({}),
      serviceBus: ServiceBusSchema.prefault({}),
    })
    .prefault({}),
});

export type HostConfig = z.output<typeof HostConfigSchema>;
export type HostLogLevel = z.output<typeof LogLevelName>;

/**
 * Validates a parsed host.json.
 * @throws RiskopsError `invalid_settings` listing every bad key.
 */
export function parseHostConfig(value: unknown, source = 'host.json'): HostConfig {
  const result = HostConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new RiskopsError('invalid_settings', `Invalid ${source}:\n${lines.join('\n')}`, {
    cause: result.error,
  });
}

/**
 * Reads and validates a host.json file.
 * @throws RiskopsError `invalid_settings` when it is missing, not JSON, or has bad values.
 */
export function loadHostConfig(path = 'host.json'): HostConfig {
  const full = resolve(path);
  if (!existsSync(full)) throw new RiskopsError('invalid_settings', `${full} does not exist`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(full, 'utf8'));
  } catch (error) {
    throw new RiskopsError('invalid_settings', `${full} is not valid JSON`, { cause: error });
  }
  return parseHostConfig(json, full);
}

/** How a queue listener behaves, resolved from host.json for one trigger kind. */
export interface QueueListenerSettings {
  batchSize: number;
  newBatchThreshold: number;
  maxPollingIntervalMs: number;
  visibilityTimeoutMs: number;
  maxDequeueCount: number;
  messageEncoding: 'base64' | 'none';
}

/** Storage queue triggers: host.json `extensions.queues`, with the real host's defaults. */
export function storageQueueSettings(config: HostConfig): QueueListenerSettings {
  const q = config.extensions.queues;
  return {
    batchSize: q.batchSize,
    newBatchThreshold: q.newBatchThreshold ?? Math.floor(q.batchSize / 2),
    maxPollingIntervalMs: q.maxPollingInterval,
    visibilityTimeoutMs: q.visibilityTimeout,
    maxDequeueCount: q.maxDequeueCount,
    messageEncoding: q.messageEncoding,
  };
}

/**
 * Service Bus triggers served from an Azurite queue: at most `maxConcurrentCalls` messages at once, and
 * `maxDeliveryCount` (when given) instead of the queues' `maxDequeueCount`.
 */
export function serviceBusQueueSettings(config: HostConfig): QueueListenerSettings {
  const sb = config.extensions.serviceBus;
  const batchSize = Math.min(32, sb.maxConcurrentCalls);
  return {
    ...storageQueueSettings(config),
    batchSize,
    newBatchThreshold: sb.maxConcurrentCalls - batchSize,
    maxDequeueCount: sb.maxDeliveryCount ?? config.extensions.queues.maxDequeueCount,
  };
}
