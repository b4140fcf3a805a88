import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root (tests run from it). */
export const REPO = process.cwd();

/**
 * A throwaway copy of the project (sources, configs; node_modules linked) to scaffold, build and run a new use
 * case in, so nothing lands in the repository and tests iterating src/use_cases are not disturbed.
 */
export function copyProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'riskops-scaffold-'));
  for (const entry of [
    'src',
    'functions',
    'tsconfig.json',
    'package.json',
    'biome.json',
    '.gitignore',
    'host.json',
  ])
    cpSync(join(REPO, entry), join(root, entry), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` (the test's Node 22) in `cwd` and collects its output. */
export function run(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `riskops start` of the project at `root` on free ports; resolves once it serves. */
export async function startHost(
  root: string,
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; azuritePid: number; output: () => string }> {
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'cli', 'main.js'), 'start'], {
    cwd: root,
    env: {
      ...process.env,
      RISKOPS_DATA_DIR: dataDir,
      RISKOPS_HTTP_PORT: '0',
      RISKOPS_AZURITE_BLOB_PORT: '0',
      RISKOPS_AZURITE_QUEUE_PORT: '0',
      RISKOPS_AZURITE_TABLE_PORT: '0',
      RISKOPS_EMBEDDED_AZURITE: 'true',
      RISKOPS_ENVIRONMENT: 'local',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 45_000;
  while (!output.includes('Press Ctrl-C to stop')) {
    if (child.exitCode !== null) throw new Error(`riskops start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`riskops start did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /Host: (http:\/\/\S+?) /.exec(output)?.[1];
  const pid = /embedded Azurite \(pid (\d+)/.exec(output)?.[1];
  if (url === undefined || pid === undefined)
    throw new Error(`could not read the URL and Azurite pid:\n${output}`);
  return { child, url, azuritePid: Number(pid), output: () => output };
}
