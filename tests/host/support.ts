import { afterEach } from 'vitest';
import type { FunctionDefinition } from '../../src/platform/functions/index.js';
import {
  createLocalHost,
  type HostConfig,
  type HostLogger,
  type LocalHost,
  type LocalHostOptions,
  parseHostConfig,
} from '../../src/platform/host/index.js';
import { testStorage } from '../support/storage.js';

/** The tiny services object the test definitions share. */
export interface TestServices {
  greeting: string;
}

/** Queue semantics tuned for fast tests: 1 s retry delay, 3 deliveries, short polling back-off. */
export const TEST_HOST_CONFIG: HostConfig = parseHostConfig({
  version: '2.0',
  extensions: {
    queues: {
      batchSize: 4,
      newBatchThreshold: 2,
      maxPollingInterval: '00:00:00.200',
      visibilityTimeout: '00:00:01',
      maxDequeueCount: 3,
    },
  },
});

/** Keeps every line the host logs, for assertions. */
export function captureLogger(): HostLogger & { lines: string[]; text(): string } {
  const lines: string[] = [];
  return {
    lines,
    log(severity, message) {
      lines.push(`${severity} ${message}`);
    },
    text: () => lines.join('\n'),
  };
}

const running: LocalHost[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((host) => host.stop()));
});

/** Starts a host on a free port against the test Azurite; stopped after each test. */
export async function startHost(
  definitions: readonly FunctionDefinition<TestServices>[],
  options: Partial<LocalHostOptions<TestServices>> = {},
): Promise<{ host: LocalHost; logger: ReturnType<typeof captureLogger> }> {
  const logger = captureLogger();
  const host = createLocalHost<TestServices>({
    definitions,
    services: { greeting: 'hello' },
    storage: testStorage(),
    hostConfig: TEST_HOST_CONFIG,
    port: 0,
    logger,
    minPollingIntervalMs: 50,
    ...options,
  });
  await host.start();
  running.push(host);
  return { host, logger };
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
