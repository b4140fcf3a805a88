import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { MessageHandler } from '../functions/index.js';
import type { QueueListenerSettings } from './host-config.js';
import type { InvocationTracker } from './invocations.js';
import type { HostLogger } from './logger.js';
import { decodeMessageText, type QueueKind, queueTriggerMetadata, triggerInput } from './queue-message.js';

/** A queue-triggered function bound to its queue. */
export interface QueueFunction {
  name: string;
  kind: QueueKind;
  queueName: string;
  handler: MessageHandler;
  settings: QueueListenerSettings;
}

export interface QueuePollerOptions {
  fn: QueueFunction;
  queue: QueueClient;
  poisonQueue: QueueClient;
  invocations: InvocationTracker;
  logger: HostLogger;
  /** How long a fetched message stays hidden while it runs; renewed at half this period. */
  leaseSeconds: number;
  /** First back-off step when the queue is empty (the real host starts near 100 ms). */
  minPollingIntervalMs: number;
}

export interface QueuePoller {
  start(): void;
  /** Stops fetching and resolves when the loop has ended; running messages go on until the host drains. */
  stop(): Promise<void>;
  /** Stops renewing the leases of messages still running (after a drain timed out); they reappear later. */
  abandon(): void;
}

/**
 * Polls one Azurite queue with the Functions host's queue semantics: fetch `batchSize` when in-flight
 * messages drop to `newBatchThreshold`, back off exponentially up to `maxPollingInterval` while empty,
 * keep a running message hidden by renewing its lease, delete it on success, make it visible again after
 * `visibilityTimeout` on failure, and move it to `<queue>-poison` once `dequeueCount` reaches
 * `maxDequeueCount`.
 */
export function createQueuePoller(options: QueuePollerOptions): QueuePoller {
  const { fn, queue, poisonQueue, invocations, logger, leaseSeconds } = options;
  const { settings } = fn;
  const leases = new Set<NodeJS.Timeout>();
  let active = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;

  /** Resolves after `ms`, or sooner when a message completes or the poller stops. */
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const holdLease = (message: DequeuedMessageItem) => {
    let popReceipt = message.popReceipt;
    let renewing: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      renewing = queue.updateMessage(message.messageId, popReceipt, undefined, leaseSeconds).then(
        (response) => {
          popReceipt = response.popReceipt ?? popReceipt;
        },
        (error: unknown) => {
          logger.log(
            'warn',
            `Could not renew the lease of message ${message.messageId} on '${fn.queueName}': ${String(error)}`,
          );
        },
      );
    }, leaseSeconds * 500);
    leases.add(timer);
    return {
      popReceipt: () => popReceipt,
      async release(): Promise<void> {
        clearInterval(timer);
        leases.delete(timer);
        await renewing;
      },
    };
  };

  const settle = async (message: DequeuedMessageItem, succeeded: boolean, popReceipt: string) => {
    const id = message.messageId;
    try {
      if (succeeded) {
        await queue.deleteMessage(id, popReceipt);
      } else if (message.dequeueCount >= settings.maxDequeueCount) {
        logger.log(
          'warn',
          `Message ${id} has reached MaxDequeueCount of ${settings.maxDequeueCount}. Moving message to queue '${poisonQueue.name}'.`,
        );
        await poisonQueue.createIfNotExists();
        await poisonQueue.sendMessage(message.messageText);
        await queue.deleteMessage(id, popReceipt);
      } else {
        await queue.updateMessage(id, popReceipt, undefined, Math.ceil(settings.visibilityTimeoutMs / 1000));
      }
    } catch (error) {
      logger.log('error', `Could not settle message ${id} on '${fn.queueName}': ${String(error)}`);
    }
  };

  const dispatch = (message: DequeuedMessageItem): void => {
    active++;
    const lease = holdLease(message);
    const text = decodeMessageText(message.messageText, settings.messageEncoding);
    const { input, metadata } = triggerInput(fn.kind, text);
    const work = (async () => {
      let succeeded = false;
      try {
        await invocations.run(
          {
            functionName: fn.name,
            triggerType: fn.kind === 'storageQueue' ? 'queueTrigger' : 'serviceBusTrigger',
            reason: `New queue message detected on '${fn.queueName}'.`,
            triggerMetadata: { ...queueTriggerMetadata(fn.kind, message, text), ...metadata },
          },
          (context) => fn.handler(input, context),
        );
        succeeded = true;
      } catch {
        // Logged by the invocation tracker; the message is retried or poisoned below.
      } finally {
        await lease.release();
      }
      await settle(message, succeeded, lease.popReceipt());
    })().finally(() => {
      active--;
      wake?.();
    });
    invocations.track(work);
  };

  const run = async (): Promise<void> => {
    let delay = options.minPollingIntervalMs;
    let created = false;
    while (!stopped) {
      if (active > settings.newBatchThreshold) {
        await pause(60_000);
        continue;
      }
      try {
        if (!created) {
          await queue.createIfNotExists();
          created = true;
        }
        const { receivedMessageItems: messages } = await queue.receiveMessages({
          numberOfMessages: settings.batchSize,
          visibilityTimeout: leaseSeconds,
        });
        if (stopped) {
          // Fetched while stopping: hand them straight back.
          await Promise.all(
            messages.map((m) => queue.updateMessage(m.messageId, m.popReceipt, undefined, 0)),
          );
          break;
        }
        if (messages.length === 0) {
          await pause(delay);
          delay = Math.min(delay * 2, settings.maxPollingIntervalMs);
          continue;
        }
        delay = options.minPollingIntervalMs;
        for (const message of messages) dispatch(message);
      } catch (error) {
        if (stopped) break;
        logger.log(
          'error',
          `Queue listener '${fn.name}' on '${fn.queueName}' failed, retrying: ${String(error)}`,
        );
        await pause(delay);
        delay = Math.min(delay * 2, settings.maxPollingIntervalMs);
      }
    }
  };

  return {
    start() {
      loop ??= run();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
    abandon() {
      for (const timer of leases) clearInterval(timer);
      leases.clear();
    },
  };
}
