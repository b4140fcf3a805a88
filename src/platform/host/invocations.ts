import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { format } from 'node:util';
import type { InvocationContext as AzureInvocationContext } from '@azure/functions';
import { InvocationContext } from './azure-functions.js';
import type { HostConfig } from './host-config.js';
import { functionLogHandler, type HostLogger } from './logger.js';

/** What started an invocation, for the context and the `Executing …` log line. */
export interface InvocationStart {
  functionName: string;
  /** e.g. `httpTrigger`, `timerTrigger`, `queueTrigger`, `serviceBusTrigger`. */
  triggerType: string;
  reason: string;
  triggerMetadata?: Record<string, unknown>;
}

export interface InvocationTracker {
  /**
   * Runs `body` with a fresh InvocationContext, logs its start and outcome, and tracks it until it settles.
   * The returned promise settles as `body` does.
   */
  run<T>(start: InvocationStart, body: (context: AzureInvocationContext) => Promise<T>): Promise<T>;
  /** Tracks extra work (settling a queue message, writing a response) so `drain` waits for it too. */
  track(work: Promise<unknown>): void;
  /** Function invocations running now (not counting other tracked work). */
  readonly active: number;
  /** Waits for every tracked invocation; false when some were still running after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
}

/** Starts, logs and tracks invocations, so the host can drain them on shutdown. */
export function createInvocationTracker(logger: HostLogger, config: HostConfig): InvocationTracker {
  const inFlight = new Set<Promise<unknown>>();
  let running = 0;
  const timeoutMs = config.functionTimeout;

  const track = (work: Promise<unknown>): void => {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
  };

  return {
    run(start, body) {
      const invocationId = randomUUID();
      const context = new InvocationContext({
        invocationId,
        functionName: start.functionName,
        logHandler: functionLogHandler(logger, config, start.functionName),
        triggerMetadata: start.triggerMetadata ?? {},
        options: { trigger: { type: start.triggerType, name: 'trigger' } },
      });
      const label = `'Functions.${start.functionName}'`;
      logger.log('info', `Executing ${label} (Reason='${start.reason}', Id=${invocationId})`);
      const began = performance.now();
      const overtime =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              logger.log(
                'error',
                `Timeout value of ${timeoutMs} ms exceeded by function ${label} (Id: '${invocationId}'). ` +
                  'The local host cannot cancel it; in Azure the worker would be restarted.',
              );
            }, timeoutMs).unref();
      const work = (async () => {
        running++;
        try {
          const result = await body(context);
          const ms = Math.round(performance.now() - began);
          logger.log('info', `Executed ${label} (Succeeded, Id=${invocationId}, Duration=${ms}ms)`);
          return result;
        } catch (error) {
          const ms = Math.round(performance.now() - began);
          logger.log(
            'error',
            `Executed ${label} (Failed, Id=${invocationId}, Duration=${ms}ms)\n${format(error)}`,
          );
          throw error;
        } finally {
          running--;
          clearTimeout(overtime);
        }
      })();
      track(work);
      return work;
    },
    track,
    get active() {
      return running;
    },
    async drain(ms) {
      const deadline = Date.now() + ms;
      while (inFlight.size > 0) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        const timer = new AbortController();
        await Promise.race([
          Promise.all(inFlight),
          sleep(left, undefined, { signal: timer.signal }).catch(() => undefined),
        ]);
        timer.abort();
      }
      return true;
    },
  };
}
