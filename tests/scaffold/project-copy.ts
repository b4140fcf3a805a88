import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HostProcess, startHostProcess } from '../support/host-process.js';

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
export function startHost(root: string, dataDir: string): Promise<HostProcess> {
  return startHostProcess(dataDir, { root });
}
