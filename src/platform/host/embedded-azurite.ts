import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RiskopsError } from '../errors/index.js';
import { type AzuriteInstance, processAlive, startAzurite } from '../storage/index.js';
import { removeAzuriteEndpoints, writeAzuriteEndpoints } from './azurite-endpoints.js';
import type { HostLogger } from './logger.js';

export interface EmbeddedAzuriteOptions {
  /**
   * `RISKOPS_DATA_DIR`: Azurite keeps its data in `<dataDir>/azurite`, its pid in `<dataDir>/azurite.pid` and
   * its endpoints (for the CLI) in `<dataDir>/azurite.json`.
   */
  dataDir: string;
  ports: { blob: number; queue: number; table: number };
  /** Keep data in memory instead of `<dataDir>/azurite` (tests). */
  inMemory?: boolean;
  logger: HostLogger;
}

export interface EmbeddedAzurite {
  readonly pid: number;
  readonly pidFile: string;
  readonly connectionString: string;
  readonly ports: AzuriteInstance['ports'];
  /** Stops Azurite, waits for it to exit, and removes the pid file. */
  stop(): Promise<void>;
  /** Kills Azurite at once and removes the pid file (a forced exit; synchronous). */
  kill(): void;
}

/**
 * Starts the project's Azurite for `riskops start`. First stops an Azurite left by an earlier run that died
 * (its pid file points to a live process whose command line names azurite), then records the new pid and
 * starts a detached watchdog that stops Azurite if this process dies without cleaning up (SIGKILL, crash).
 * @throws RiskopsError `conflict` when the pid file's Azurite belongs to another running `riskops start`.
 */
export async function startEmbeddedAzurite(options: EmbeddedAzuriteOptions): Promise<EmbeddedAzurite> {
  mkdirSync(options.dataDir, { recursive: true });
  const pidFile = join(options.dataDir, 'azurite.pid');
  const stale = await stopStaleAzurite(pidFile);
  if (stale !== undefined)
    options.logger.log('warn', `Stopped Azurite (pid ${stale}) left behind by an earlier run.`);
  const azurite = await startAzurite({
    ports: options.ports,
    detached: true,
    ...(options.inMemory === true ? {} : { location: join(options.dataDir, 'azurite') }),
  });
  writeFileSync(pidFile, `${azurite.pid}\n`);
  writeAzuriteEndpoints(options.dataDir, {
    pid: azurite.pid,
    hostPid: process.pid,
    startedAt: new Date().toISOString(),
    ports: azurite.ports,
    connectionString: azurite.connectionString,
  });
  const watchdog = startWatchdog(process.pid, azurite.pid);
  const cleanUp = (): void => {
    rmSync(pidFile, { force: true });
    removeAzuriteEndpoints(options.dataDir);
    if (watchdog !== undefined) signal(watchdog, 'SIGTERM');
  };
  return {
    pid: azurite.pid,
    pidFile,
    connectionString: azurite.connectionString,
    ports: azurite.ports,
    async stop() {
      await azurite.stop();
      await stopProcess(azurite.pid);
      cleanUp();
    },
    kill() {
      signal(azurite.pid, 'SIGKILL');
      cleanUp();
    },
  };
}

/**
 * Stops the Azurite a pid file points to when its owner is gone, and removes the file. A pid now used by a
 * process that is not Azurite is left alone.
 * @returns the stopped pid, or undefined when there was nothing to stop.
 * @throws RiskopsError `conflict` when that Azurite's parent is a running `riskops start`.
 */
export async function stopStaleAzurite(pidFile: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid) || !commandLine(pid).includes('azurite')) {
    rmSync(pidFile, { force: true });
    return undefined;
  }
  const parent = parentPid(pid);
  if (
    parent !== undefined &&
    parent > 1 &&
    parent !== process.pid &&
    /main\.[jt]s\b.*\bstart\b/.test(commandLine(parent))
  ) {
    throw new RiskopsError(
      'conflict',
      `Azurite (pid ${pid}, ${pidFile}) belongs to a running 'riskops start' (pid ${parent}); stop that first`,
    );
  }
  await stopProcess(pid);
  rmSync(pidFile, { force: true });
  return pid;
}

/** Sends SIGTERM, then SIGKILL after `graceMs`, and resolves once the process is gone. */
export async function stopProcess(pid: number, graceMs = 5000): Promise<void> {
  if (!isRunning(pid)) return;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL');
      break;
    }
    await sleep(50);
  }
  for (let i = 0; i < 100 && isRunning(pid); i++) await sleep(50);
}

/** Sends a signal to a process that may already have exited. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Alive and not a zombie (an exited child not yet reaped still answers signal 0). */
export function isRunning(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** Watches `parent`; if it dies while `child` runs, stops `child`. Exits on its own once `child` is gone. */
const WATCHDOG = `
const [parent, child] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const timer = setInterval(() => {
  if (!alive(child)) process.exit(0);
  if (alive(parent)) return;
  clearInterval(timer);
  try { process.kill(child, 'SIGTERM'); } catch {}
  const deadline = Date.now() + 5000;
  setInterval(() => {
    if (!alive(child)) process.exit(0);
    if (Date.now() > deadline) { try { process.kill(child, 'SIGKILL'); } catch {} process.exit(0); }
  }, 100);
}, 500);
`;

/**
 * Starts a detached watchdog process (its own process group, so a terminal's Ctrl-C does not reach it).
 * @returns its pid, or undefined when it could not start (best effort).
 */
export function startWatchdog(parent: number, child: number): number | undefined {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(parent), String(child)], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  return watchdog.pid;
}
