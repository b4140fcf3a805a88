import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/platform/storage/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { startHostProcess } from '../support/host-process.js';

/**
 * The quick start, for real: `node dist/src/cli/main.js start` (what `npm start` runs after building) on its
 * own embedded Azurite, seeded from models/, answering HTTP — then stopped the ways a user stops it.
 */
const ENTRY = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

const running: ChildProcess[] = [];

/** Runs the CLI as a user would (no storage settings), returning its exit code and output. */
async function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const { AzureWebJobsStorage: _storage, ...inherited } = process.env;
  const child = spawn(process.execPath, [ENTRY, ...args], {
    env: { ...inherited, RISKOPS_ENVIRONMENT: 'local', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await exited(child);
  return { code, output };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitUntilDead(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

function validRecord(): Record<string, unknown> {
  const [row] = latePayment.generate({ rows: 1, seed: 42 });
  if (row === undefined) throw new Error('generator returned no row');
  const { [latePayment.label.field]: _label, ...record } = row;
  return record;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('quick start: riskops start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'riskops-e2e-'));

  it('seeds the shipped models, scores over HTTP, and stops Azurite on Ctrl-C', async () => {
    const host = await startHostProcess(dataDir, { running });
    const health = await fetch(`${host.url}/api/health`);
    const healthBody = (await health.json()) as {
      status: string;
      models: Record<string, { version: string | null }>;
    };
    expect(health.status).toBe(200);
    expect(healthBody.status).toBe('healthy');
    const version = healthBody.models.late_payment?.version;
    expect(version).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{12}$/);

    const scored = await post(`${host.url}/api/score/late_payment`, validRecord());
    expect(scored.status).toBe(200);
    expect(scored.json.modelVersion).toBe(version);
    expect(scored.json.probability).toBeGreaterThan(0);
    expect(scored.json.probability).toBeLessThan(1);
    expect(['low', 'review', 'high']).toContain(scored.json.band);

    const bad = await post(`${host.url}/api/score/late_payment`, {
      ...validRecord(),
      amount: -5,
      currency: 'XXX',
    });
    expect(bad.status).toBe(400);
    const issues = (bad.json.error as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['amount', 'currency']));
    const notJson = await post(`${host.url}/api/score/late_payment`, '{"amount": ');
    expect(notJson.status).toBe(400);
    expect((await post(`${host.url}/api/score/no_such_case`, validRecord())).status).toBe(404);

    // The CLI finds this host's Azurite on the ports it got (port 0) through <dataDir>/azurite.json.
    expect(existsSync(join(dataDir, 'azurite.json'))).toBe(true);
    const cli = await runCli(['models', 'list', 'late_payment'], { RISKOPS_DATA_DIR: dataDir });
    expect(cli.output).toContain(String(version));
    expect(cli.code).toBe(0);

    host.child.kill('SIGINT');
    expect(await exited(host.child)).toBe(0);
    expect(await waitUntilDead(host.azuritePid, 5000)).toBe(true);
    expect(existsSync(join(dataDir, 'azurite.pid'))).toBe(false);
    expect(existsSync(join(dataDir, 'azurite.json'))).toBe(false);
    expect(host.output()).not.toMatch(/\n\s+at /);
  });

  it('keeps the registry across a restart, and a killed host leaves no Azurite behind', async () => {
    const host = await startHostProcess(dataDir, { running });
    const listed = await fetch(`${host.url}/api/models/late_payment`);
    const body = (await listed.json()) as { versions: unknown[] };
    expect(listed.status).toBe(200);
    expect(body.versions).toHaveLength(1);

    host.child.kill('SIGKILL');
    await exited(host.child);
    expect(await waitUntilDead(host.azuritePid, 10_000)).toBe(true);
  });

  it('answers 503 with a clear message while a use case has no model', async () => {
    const host = await startHostProcess(mkdtempSync(join(tmpdir(), 'riskops-e2e-empty-')), {
      env: { RISKOPS_SEED_ON_START: 'false' },
      running,
    });
    const response = await post(`${host.url}/api/score/late_payment`, validRecord());
    expect(response.status).toBe(503);
    const error = response.json.error as { code: string; message: string };
    expect(error.code).toBe('model_unavailable');
    expect(error.message).toMatch(/late_payment/);
    host.child.kill('SIGTERM');
    expect(await exited(host.child)).toBe(0);
    expect(await waitUntilDead(host.azuritePid, 5000)).toBe(true);
  });
});
