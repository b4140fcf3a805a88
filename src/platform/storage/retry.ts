import type { TokenCredential } from '@azure/core-auth';
import type { TableServiceClientOptions } from '@azure/data-tables';
import {
  type AnonymousCredential,
  type Pipeline as BlobPipeline,
  newPipeline as newBlobPipeline,
  type RequestPolicyFactory,
  type StorageSharedKeyCredential,
} from '@azure/storage-blob';
import {
  newPipeline as newQueuePipeline,
  type AnonymousCredential as QueueAnonymousCredential,
  type Pipeline as QueuePipeline,
  type StorageSharedKeyCredential as QueueSharedKeyCredential,
} from '@azure/storage-queue';

/**
 * How a storage client gives up. The SDKs' defaults (4 tries, 4 s → 120 s back-off, and no client-side timeout
 * at all) turn an unreachable account into a 15 s wait per call, or an endless one when the server accepts
 * connections but never answers.
 */
export interface StorageRetry {
  /** Tries per operation, the first included. A timed-out try is not retried. */
  maxTries: number;
  /** Client-side limit per try, until the response headers arrive. */
  tryTimeoutMs: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

/** Admin writes, model uploads, queue and table work: patient, but never endless. */
export const DEFAULT_RETRY: StorageRetry = {
  maxTries: 3,
  tryTimeoutMs: 30_000,
  retryDelayMs: 300,
  maxRetryDelayMs: 2_000,
};

/** Background alias checks, model loads for serving, health probes: one quick retry, then report. */
export function fastRetry(tryTimeoutMs: number): StorageRetry {
  if (!Number.isFinite(tryTimeoutMs) || tryTimeoutMs <= 0) {
    throw new RangeError(`tryTimeoutMs must be a positive number, got ${tryTimeoutMs}`);
  }
  return { maxTries: 2, tryTimeoutMs, retryDelayMs: 100, maxRetryDelayMs: 200 };
}

/** A v1 request-policy factory (the storage SDKs' extension point) that sets the per-try timeout. */
function tryTimeoutFactory(ms: number): RequestPolicyFactory {
  return {
    create: (next) => ({
      sendRequest: (request) => {
        if (!(request.timeout > 0)) request.timeout = ms;
        return next.sendRequest(request);
      },
    }),
  };
}

function storageRetryOptions(retry: StorageRetry) {
  return {
    maxTries: retry.maxTries,
    retryDelayInMs: retry.retryDelayMs,
    maxRetryDelayInMs: retry.maxRetryDelayMs,
  };
}

/** A blob pipeline with `retry`'s tries and back-off and a client-side timeout per try. */
export function blobPipeline(
  credential: StorageSharedKeyCredential | AnonymousCredential | TokenCredential,
  retry: StorageRetry,
): BlobPipeline {
  const pipeline = newBlobPipeline(credential, { retryOptions: storageRetryOptions(retry) });
  pipeline.factories.push(tryTimeoutFactory(retry.tryTimeoutMs));
  return pipeline;
}

/** The queue SDK's twin of `blobPipeline`. */
export function queuePipeline(
  credential: QueueSharedKeyCredential | QueueAnonymousCredential | TokenCredential,
  retry: StorageRetry,
): QueuePipeline {
  const pipeline = newQueuePipeline(credential, { retryOptions: storageRetryOptions(retry) });
  pipeline.factories.push(tryTimeoutFactory(retry.tryTimeoutMs) as never);
  return pipeline;
}

/** Table clients take core pipeline options: retries, and a per-retry policy that sets the timeout. */
export function tableClientOptions(retry: StorageRetry): TableServiceClientOptions {
  return {
    retryOptions: {
      maxRetries: retry.maxTries - 1,
      retryDelayInMs: retry.retryDelayMs,
      maxRetryDelayInMs: retry.maxRetryDelayMs,
    },
    additionalPolicies: [
      {
        position: 'perRetry',
        policy: {
          name: 'riskopsTryTimeout',
          sendRequest: (request, next) => {
            if (!(request.timeout > 0)) request.timeout = retry.tryTimeoutMs;
            return next(request);
          },
        },
      },
    ],
  };
}
