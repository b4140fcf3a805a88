import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { azuriteConnectionString } from './clients.js';

export interface AzuriteOptions {
  /** Folder for Azurite's data; omit for an in-memory instance (tests). */
  location?: string;
  /** 0 (the default) lets the OS pick a free port; the chosen ports are read from Azurite's output. */
  ports?: { blob: number; queue: number; table: number };
  /** How long to wait for all three services to listen. */
  startTimeoutMs?: number;
  /**
   * Runs Azurite in its own process group, so a terminal's Ctrl-C reaches only the host, which then drains
   * in-flight work before it stops Azurite itself.
   */
  detached?: boolean;
}

export interface AzuriteInstance {
  readonly pid: number;
  readonly ports: { blob: number; queue: number; table: number };
  readonly connectionString: string;
  /** Stops the process (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/;

function azuriteEntry(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
}

/**
 * Starts Azurite (blob, queue, table) as a child process of this Node, with telemetry off, and resolves
 * once all three services listen. The caller owns the returned process and must `stop()` it.
 * @throws Error when Azurite exits or does not listen within the timeout (its output is in the message).
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteInstance> {
  const ports = options.ports ?? { blob: 0, queue: 0, table: 0 };
  const args = [
    azuriteEntry(),
    '--blobPort',
    String(ports.blob),
    '--queuePort',
    String(ports.queue),
    '--tablePort',
    String(ports.table),
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
  ];
  if (options.location === undefined) {
    args.push('--inMemoryPersistence', '--extentMemoryLimit', '512');
  } else {
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location, '--silent');
  }
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const found: Partial<Record<'blob' | 'queue' | 'table', number>> = {};
  let output = '';

  const listening = new Promise<{ blob: number; queue: number; table: number }>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`Azurite did not start within ${options.startTimeoutMs ?? 30_000} ms:\n${output}`)),
      options.startTimeoutMs ?? 30_000,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      for (const line of chunk.toString().split('\n')) {
        const match = LISTENING.exec(line);
        if (match?.[1] !== undefined && match[2] !== undefined) {
          found[match[1].toLowerCase() as 'blob' | 'queue' | 'table'] = Number(match[2]);
        }
      }
      if (found.blob !== undefined && found.queue !== undefined && found.table !== undefined) {
        clearTimeout(timer);
        resolve({ blob: found.blob, queue: found.queue, table: found.table });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited early (code ${code}, signal ${signal}):\n${output}`));
    });
  });

  let actual: { blob: number; queue: number; table: number };
  try {
    actual = await listening;
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  // Keep draining output so a full pipe never blocks Azurite.
  child.stdout?.resume();
  child.stderr?.resume();
  const pid = child.pid;
  if (pid === undefined) throw new Error('Azurite started without a process id');
  return {
    pid,
    ports: actual,
    connectionString: azuriteConnectionString(actual),
    stop: () => stopProcess(child),
  };
}

async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** True when a process with this id exists (signal 0 probes without killing). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
