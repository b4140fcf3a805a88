import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { startHostProcess } from '../support/host-process.js';

/**
 * The README's drift walkthrough, for real: `riskops start` → score over HTTP → `POST
 * /admin/functions/driftMonitor` → the report is in storage (`riskops drift show`) and the telemetry lines are
 * in the data dir (`riskops telemetry tail`).
 */
const ENTRY = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const run = promisify(execFile);
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('drift walkthrough: npm start → score → driftMonitor → report and telemetry', () => {
  it('writes the report and the telemetry lines', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'riskops-e2e-drift-'));
    const host = await startHostProcess(dataDir, { env: { RISKOPS_DRIFT_FLUSH_MS: '60000' }, running });
    const records = latePayment.generate({ rows: 50, seed: 8 }).map(({ paid_late_30d: _label, ...r }) => r);
    const scored = await fetch(`${host.url}/api/score/late_payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records }),
    });
    expect(scored.status).toBe(200);
    // The flush interval is a minute: the timer itself flushes this instance's counts before it runs.
    const fired = await fetch(`${host.url}/admin/functions/driftMonitor`, { method: 'POST', body: '{}' });
    expect(fired.status).toBe(202);
    const deadline = Date.now() + 30_000;
    while (!/drift late_payment \d{4}-\d{2}-\d{2}: 50 rows/.test(host.output())) {
      if (Date.now() > deadline) throw new Error(`driftMonitor did not report:\n${host.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const env = {
      ...process.env,
      AzureWebJobsStorage: host.storage,
      RISKOPS_DATA_DIR: dataDir,
      RISKOPS_ENVIRONMENT: 'local',
    };
    const show = await run(process.execPath, [ENTRY, 'drift', 'show', 'late_payment'], { env });
    expect(show.stdout).toMatch(
      /late_payment \d{4}-\d{2}-\d{2} \(UTC\) · model \S+ · 50 rows \(http 50, batch 0\)/,
    );
    expect(show.stdout).toMatch(/^amount\s+numeric\s+\d+\.\d{4}/m);
    const out = join(dataDir, 'report.html');
    await run(process.execPath, [ENTRY, 'drift', 'report', 'late_payment', '--out', out], { env });
    expect(existsSync(out)).toBe(true);
    const tail = await run(process.execPath, [ENTRY, 'telemetry', 'tail', '-n', '200'], { env });
    expect(tail.stdout).toMatch(
      /metric riskops\.drift\.psi = [\d.e-]+ {2}useCase=late_payment modelVersion=\S+ window=\S+ feature=amount/,
    );
    expect(tail.stdout).toMatch(/metric riskops\.score\.latency = [\d.]+ {2}useCase=late_payment status=200/);
    expect(tail.stdout).toMatch(
      /metric riskops\.score\.band_count = \d+ {2}useCase=late_payment .*source=http/,
    );
    host.child.kill('SIGINT');
    await new Promise((resolve) => host.child.once('exit', resolve));
  });
});
