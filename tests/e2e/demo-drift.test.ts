import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startHostProcess } from '../support/host-process.js';

/**
 * `riskops demo drift` against a real `riskops start` (embedded Azurite on free ports, a temp data dir): the
 * spawned CLI finds the host's Azurite through the data dir, and the host's own consumers score the batch
 * chunks and train the challenger from the retrain-requests queue.
 */
const ENTRY = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const run = promisify(execFile);
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running)
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
});

describe('riskops demo drift on a running host', () => {
  it('drifts two days, batches them, requests a retrain, registers, promotes and rolls back a challenger', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'riskops-e2e-demo-'));
    const host = await startHostProcess(dataDir, { env: { RISKOPS_BATCH_SEED_INPUT_ROWS: '0' }, running });
    const env = {
      ...process.env,
      RISKOPS_DATA_DIR: dataDir,
      RISKOPS_ENVIRONMENT: 'local',
      RISKOPS_ACTOR: 'demo-user',
    };
    let stdout: string;
    try {
      ({ stdout } = await run(process.execPath, [ENTRY, 'demo', 'drift', '--date', '2026-11-20'], {
        env,
        timeout: 100_000,
      }));
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      throw new Error(`demo drift failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}\nhost:\n${host.output()}`);
    }
    // Step 1: two drifted input days and the labeled sample.
    expect(stdout).toMatch(/scoring-input\/late_payment\/2026-11-19\/demo-drifted\.csv: 1000 rows/);
    expect(stdout).toMatch(/scoring-input\/late_payment\/2026-11-20\/demo-drifted\.csv: 1000 rows/);
    expect(stdout).toMatch(/training-data\/late_payment\/demo-2026-11-20\.csv: 3000 labeled rows/);
    // Step 2: both batch runs succeeded with their _SUCCESS.json.
    for (const day of ['2026-11-19', '2026-11-20'])
      expect(stdout).toMatch(
        new RegExp(`${day}: run \\S+ succeeded in [\\d.]+s: \\d+ of 1000 rows scored .*_SUCCESS\\.json`),
      );
    // Step 3: drift flagged on the shifted fields; 1 of 3 windows is not enough, 2 of 3 sends.
    expect(stdout).toMatch(/2026-11-19: \d+ rows, DRIFT on [^;]*amount/);
    expect(stdout).toMatch(
      /trigger: not_persistent: late_payment 2026-11-19: PSI ≥ 0.2 in 1 of the last 3 windows/,
    );
    expect(stdout).toMatch(/trigger: already_requested: late_payment 2026-11-20/);
    expect(stdout).toMatch(/retrain request (\S+) sent at \S+ to retrain-requests/);
    // Step 4: the host's retrain trigger registered the challenger, with the receipt in its lineage.
    const version = /challenger alias → (\S+)/.exec(stdout)?.[1];
    expect(version).toBeDefined();
    expect(stdout).toMatch(/lineage: retrain-request \S+; data \S+ \(\d+ rows, 1 file\(s\)\)/);
    expect(stdout).toMatch(
      /receipt: window 2026-11-20 on \S+, reference profile \S+, .*in 2 of 3 windows \(k 2\)/,
    );
    // Step 5: promoted and rolled back by the local actor, both in the ledger.
    expect(stdout).toContain(`promoted by demo-user: champion `);
    expect(stdout).toMatch(new RegExp(`champion \\S+ → ${version}`));
    expect(stdout).toMatch(new RegExp(`rolled back by demo-user: champion ${version} → \\S+`));
    expect(stdout).toMatch(new RegExp(`ledger: \\S+ promote champion \\S+ → ${version} by demo-user`));
    expect(stdout).toMatch(new RegExp(`ledger: \\S+ rollback champion ${version} → \\S+ by demo-user`));
    expect(stdout).toMatch(/demo drift: the loop closed in [\d.]+s/);
    if (host.child.pid !== undefined) process.kill(host.child.pid, 'SIGINT');
    await new Promise((resolve) => host.child.once('exit', resolve));
  }, 150_000);

  it('says when approval is required and who approved; a second demo within the cooldown fails at step 3', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'riskops-e2e-demo-'));
    const settings = { RISKOPS_REQUIRE_APPROVAL: 'true' };
    const host = await startHostProcess(dataDir, {
      env: { RISKOPS_BATCH_SEED_INPUT_ROWS: '0', ...settings },
      running,
    });
    const env = {
      ...process.env,
      ...settings,
      RISKOPS_DATA_DIR: dataDir,
      RISKOPS_ENVIRONMENT: 'local',
      RISKOPS_ACTOR: 'demo-user',
    };
    const args = [ENTRY, 'demo', 'drift', '--date', '2026-11-20'];
    const first = await run(process.execPath, args, { env, timeout: 100_000 }).catch(
      (e: { stdout?: string; stderr?: string }) => {
        throw new Error(`demo drift failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}\nhost:\n${host.output()}`);
      },
    );
    const version = /challenger alias → (\S+)/.exec(first.stdout)?.[1];
    expect(version).toBeDefined();
    expect(first.stdout).toMatch(/promotion by demo-user blocked: late_payment \S+ needs an approval/);
    expect(first.stdout).toContain('approved by a second local identity demo-user-demo-approver');
    expect(first.stdout).toMatch(
      new RegExp(
        `ledger: \\S+ promote champion \\S+ → ${version} by demo-user \\(approved by demo-user-demo-approver\\)`,
      ),
    );
    const second = await run(process.execPath, args, { env, timeout: 100_000 }).then(
      () => {
        throw new Error('a second demo within the cooldown should fail');
      },
      (e: { code?: number; stdout?: string; stderr?: string }) => e,
    );
    expect(second.code).toBe(1);
    expect(second.stdout).toMatch(/\[3\/5\] drift monitor .* FAILED/);
    expect(second.stderr).toMatch(/demo drift failed at step 3 .*no retrain request was sent by this demo/);
    if (host.child.pid !== undefined) process.kill(host.child.pid, 'SIGINT');
    await new Promise((resolve) => host.child.once('exit', resolve));
  }, 150_000);
});
