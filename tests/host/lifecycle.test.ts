import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '../../src/platform/functions/index.js';
import {
  createLocalHost,
  isRunning,
  startEmbeddedAzurite,
  startWatchdog,
  stopStaleAzurite,
} from '../../src/platform/host/index.js';
import { processAlive } from '../../src/platform/storage/index.js';
import { testStorage, uniqueName } from '../support/storage.js';
import { captureLogger, TEST_HOST_CONFIG, type TestServices, waitFor } from './support.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('local host: shutdown', () => {
  it('stops taking work and drains running HTTP and queue invocations before stop() resolves', async () => {
    const storage = testStorage();
    const name = uniqueName('q');
    await storage.queue(name).create();
    const events: string[] = [];
    const definitions: FunctionDefinition<TestServices>[] = [
      {
        kind: 'http',
        name: 'slow',
        route: 'slow',
        methods: ['GET'],
        authLevel: 'anonymous',
        create: () => async () => {
          events.push('http started');
          await sleep(800);
          events.push('http finished');
          return { body: 'done' };
        },
      },
      {
        kind: 'storageQueue',
        name: 'chunk',
        queueName: name,
        connection: 'AzureWebJobsStorage',
        create: () => async () => {
          events.push('queue started');
          await sleep(800);
          events.push('queue finished');
        },
      },
    ];
    const host = createLocalHost<TestServices>({
      definitions,
      services: { greeting: '' },
      storage,
      hostConfig: TEST_HOST_CONFIG,
      port: 0,
      logger: captureLogger(),
      minPollingIntervalMs: 50,
    });
    await host.start();
    const url = host.url;
    const response = fetch(`${url}/api/slow`);
    await storage.queue(name).sendMessage(Buffer.from('m').toString('base64'));
    await waitFor(() => events.includes('http started') && events.includes('queue started'));
    await host.stop();
    events.push('stopped');
    expect(events.slice(-3).sort()).toEqual(['http finished', 'queue finished', 'stopped'].sort());
    expect(events.at(-1)).toBe('stopped');
    expect(await (await response).text()).toBe('done');
    expect((await storage.queue(name).getProperties()).approximateMessagesCount).toBe(0);
    await expect(fetch(`${url}/api/slow`)).rejects.toThrow();
  });

  it('gives up on an invocation that outlives the drain timeout', async () => {
    const host = createLocalHost<TestServices>({
      definitions: [
        {
          kind: 'timer',
          name: 'stuck',
          schedule: '0 0 0 1 1 *',
          runOnStartup: true,
          create: () => () => sleep(5000),
        },
      ],
      services: { greeting: '' },
      storage: testStorage(),
      hostConfig: TEST_HOST_CONFIG,
      port: 0,
      logger: captureLogger(),
      drainTimeoutMs: 200,
    });
    await host.start();
    const began = Date.now();
    await host.stop();
    expect(Date.now() - began).toBeLessThan(2000);
  });
});

describe('embedded Azurite for riskops start', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'riskops-host-'));
  const ports = { blob: 0, queue: 0, table: 0 };

  it('records its pid, and stop() ends the process and removes the pid file', async () => {
    const dir = dataDir();
    const azurite = await startEmbeddedAzurite({
      dataDir: dir,
      ports,
      inMemory: true,
      logger: captureLogger(),
    });
    expect(readFileSync(join(dir, 'azurite.pid'), 'utf8').trim()).toBe(String(azurite.pid));
    expect(processAlive(azurite.pid)).toBe(true);
    await azurite.stop();
    expect(processAlive(azurite.pid)).toBe(false);
    expect(existsSync(join(dir, 'azurite.pid'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops an Azurite left behind by a crashed run, and leaves a reused pid alone', async () => {
    const dir = dataDir();
    const logger = captureLogger();
    const left = await startEmbeddedAzurite({ dataDir: dir, ports, inMemory: true, logger });
    const pidFile = join(dir, 'azurite.pid');
    expect(await stopStaleAzurite(pidFile)).toBe(left.pid);
    expect(processAlive(left.pid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);

    writeFileSync(pidFile, String(process.pid));
    expect(await stopStaleAzurite(pidFile)).toBeUndefined();
    expect(processAlive(process.pid)).toBe(true);
    expect(existsSync(pidFile)).toBe(false);

    const again = await startEmbeddedAzurite({ dataDir: dir, ports, inMemory: true, logger });
    const next = await startEmbeddedAzurite({ dataDir: dir, ports, inMemory: true, logger });
    expect(processAlive(again.pid)).toBe(false);
    expect(logger.text()).toContain(`Stopped Azurite (pid ${again.pid}) left behind by an earlier run.`);
    await next.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a watchdog that stops the child when its parent dies without cleaning up', async () => {
    const idle = ['-e', 'setInterval(() => {}, 1000)'];
    const parent = spawn(process.execPath, idle, { stdio: 'ignore' });
    const child = spawn(process.execPath, idle, { stdio: 'ignore' });
    const [parentPid, childPid] = [parent.pid ?? 0, child.pid ?? 0];
    const watchdog = startWatchdog(parentPid, childPid) ?? 0;
    await sleep(300);
    expect(isRunning(childPid)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !isRunning(childPid), 5000);
    await waitFor(() => !processAlive(watchdog) || !isRunning(watchdog), 3000);
  });
});
