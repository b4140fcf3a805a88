import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AzuriteInstance, processAlive, startAzurite } from '../../src/platform/storage/index.js';

/**
 * An Azurite of the test's own, as a separate process with its data on disk, that the test can pause
 * (SIGSTOP: connections are accepted but never answered), kill (SIGKILL: connections refused) and restart on
 * the same ports and data folder. Always stopped by its process id.
 */
export interface FaultyAzurite {
  readonly connectionString: string;
  readonly pid: number;
  pause(): void;
  resume(): void;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultyAzurite(): Promise<FaultyAzurite> {
  const location = mkdtempSync(join(tmpdir(), 'riskops-faults-'));
  let instance: AzuriteInstance = await startAzurite({ location });
  const ports = instance.ports;
  const connectionString = instance.connectionString;
  let paused = false;

  const waitGone = async (pid: number): Promise<void> => {
    for (let i = 0; i < 200 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 25));
  };

  return {
    connectionString,
    get pid() {
      return instance.pid;
    },
    pause() {
      process.kill(instance.pid, 'SIGSTOP');
      paused = true;
    },
    resume() {
      process.kill(instance.pid, 'SIGCONT');
      paused = false;
    },
    async kill() {
      process.kill(instance.pid, 'SIGKILL');
      paused = false;
      await instance.stop(); // reaps the child (it is already gone)
      await waitGone(instance.pid);
    },
    async restart() {
      instance = await startAzurite({ location, ports });
    },
    async stop() {
      if (paused) process.kill(instance.pid, 'SIGCONT');
      await instance.stop();
      rmSync(location, { recursive: true, force: true });
    },
  };
}

/** The p-th quantile (0..1) of latencies, nearest rank. */
export function quantile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}
