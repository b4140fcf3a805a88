import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/platform/storage/index.js';
import type { AnyUseCase } from '../../src/platform/use-case/index.js';
import { telecomChurnCsv } from '../support/telecom-csv.js';
import { copyProject, REPO, run, startHost } from './project-copy.js';

/**
 * The walkthrough, for real, in a throwaway copy of the project: scaffold a use case from a CSV with every
 * column kind, type-check the generated code with tsc, train it from its committed sample, serve it through
 * the local host and score a record over HTTP.
 */
const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
const root = copyProject();
const NAME = 'telco_churn';

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function record(): Record<string, unknown> {
  return {
    snapshot_date: '2026-07-01',
    gender: 'Female',
    SeniorCitizen: 'No',
    partner: true,
    dependents: 'No',
    tenure_months: 2,
    phone_service: 'Yes',
    multiple_lines: 'No',
    internet_service: 'Fiber optic',
    online_security: 'No',
    tech_support: 'No',
    streaming_tv: 'Yes',
    contract: 'Month-to-month',
    paperless_billing: 'Yes',
    payment_method: 'Electronic check',
    monthly_charges: 99.5,
    support_calls_90d: 4,
  };
}

describe('riskops use-case new, end to end', () => {
  it('scaffolds, type-checks, trains, serves and scores a use case from a CSV', async () => {
    const csv = join(root, 'customers.csv');
    writeFileSync(csv, telecomChurnCsv({ rows: 2500, seed: 3, emptyColumn: true }));

    const scaffold = await run([CLI, 'use-case', 'new', NAME, '--from', csv, '--label', 'churn'], root);
    expect(scaffold.stderr + scaffold.stdout).toContain(`src/use_cases/${NAME}/schema.ts`);
    expect(scaffold.code).toBe(0);
    expect(scaffold.stdout).toMatch(/dropped column legacy_segment: every value is missing/);
    expect(scaffold.stdout).toMatch(/entity id is row_hash/);
    expect(scaffold.stdout).toMatch(/TODO label maturity/);
    const dir = join(root, 'src', 'use_cases', NAME);
    for (const file of ['schema.ts', 'features.ts', 'index.ts', 'sample.csv'])
      expect(existsSync(join(dir, file))).toBe(true);
    const schema = readFileSync(join(dir, 'schema.ts'), 'utf8');
    expect(schema).toContain("booleanText('Yes', 'No')");
    expect(schema).toContain('z.iso.date(');
    expect(schema).toMatch(/tenure_months: z\.number\(REQUIRED\)\.int\(\)\.min\(0\)\.max\(\d+\)/);
    expect(schema).toMatch(/total_charges: z\.number\(\)\.min\(0\)\.max\(\d+\)\.nullish\(\)/);
    expect(schema).not.toContain('legacy_segment');
    const index = readFileSync(join(root, 'src', 'use_cases', 'index.ts'), 'utf8');
    expect(index).toContain(`import { telcoChurn } from './${NAME}/index.js';`);
    expect(index).toMatch(/USE_CASES: readonly AnyUseCase\[\] = \[[^\]]*telcoChurn\]/);

    // Re-running refuses without --force; with it, the files are rewritten and the index line not repeated.
    const again = await run([CLI, 'use-case', 'new', NAME, '--from', csv, '--label', 'churn'], root);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists.*--force/);
    const forced = await run(
      [CLI, 'use-case', 'new', NAME, '--from', csv, '--label', 'churn', '--force'],
      root,
    );
    expect(forced.code).toBe(0);
    const reindexed = readFileSync(join(root, 'src', 'use_cases', 'index.ts'), 'utf8');
    expect(reindexed.split('telcoChurn').length).toBe(index.split('telcoChurn').length);

    const tsc = await run(
      [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      root,
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);

    // The built use case keeps the contract: text label values, a row-hash entity id, no generator.
    const built = (await import(pathToFileURL(join(root, 'dist', 'src', 'use_cases', 'index.js')).href)) as {
      getUseCase(name: string): AnyUseCase | undefined;
    };
    const useCase = built.getUseCase(NAME);
    expect(useCase?.generate).toBeUndefined();
    expect(useCase?.label.values).toEqual({ positive: 'Yes', negative: 'No' });
    expect(useCase?.training.sensitiveAttribute).toBe('gender');
    const parsed = useCase?.schema.parse(record());
    expect(parsed?.row_hash).toMatch(/^[0-9a-f]{16}$/);
    expect(useCase?.schema.parse(record()).row_hash).toBe(parsed?.row_hash);

    const train = await run([join(root, 'dist', 'src', 'cli', 'main.js'), 'train', NAME], root);
    expect(train.stdout).toMatch(/data: sample\.csv: 2500 of 2500 rows valid/);
    expect(train.code, train.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(root, 'models', NAME, 'manifest.json'), 'utf8')) as {
      training: { source: string };
      gate: { passed: boolean };
    };
    expect(manifest.training.source).toBe('sample.csv');
    expect(manifest.gate.passed).toBe(true);

    // The repository's own contract and shipped-model suites pass for it (the model reproduces from sample.csv).
    for (const test of [
      'use_cases/contract.test.ts',
      'training/pipeline-shipped.test.ts',
      'support/use-case-rows.ts',
      'onnx/ort.ts',
    ])
      cpSync(join(REPO, 'tests', test), join(root, 'tests', test));
    writeFileSync(
      join(root, 'vitest.config.ts'),
      "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { include: ['tests/**/*.test.ts'], pool: 'forks', testTimeout: 60000 } });\n",
    );
    const suites = await run(
      [join(REPO, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '-t', `${NAME}|the use-case index`],
      root,
      { NO_COLOR: '1', FORCE_COLOR: '0' },
    );
    expect(suites.stdout, suites.stderr).toMatch(/Tests\s+11 passed \| \d+ skipped/);
    expect(suites.code).toBe(0);

    const host = await startHost(root, mkdtempSync(join(tmpdir(), 'riskops-scaffold-data-')));
    try {
      const scored = await fetch(`${host.url}/api/score/${NAME}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(record()),
      });
      const body = (await scored.json()) as Record<string, unknown>;
      expect(scored.status, JSON.stringify(body)).toBe(200);
      expect(body.entityId).toBe(parsed?.row_hash);
      expect(body.probability).toBeGreaterThan(0);
      expect(body.probability).toBeLessThan(1);
      expect(['low', 'review', 'high']).toContain(body.band);
      const bad = await fetch(`${host.url}/api/score/${NAME}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...record(), tenure_months: -1, paperless_billing: 'Maybe' }),
      });
      const issues = ((await bad.json()) as { error: { issues: { path: string; message: string }[] } }).error
        .issues;
      expect(bad.status).toBe(400);
      expect(issues.map((i) => i.path).sort()).toEqual(['paperless_billing', 'tenure_months']);
      expect(issues.find((i) => i.path === 'paperless_billing')?.message).toBe(
        'expected Yes/No or true/false',
      );
    } finally {
      host.child.kill('SIGINT');
      await new Promise((resolve) => host.child.once('exit', resolve));
    }
    const deadline = Date.now() + 5000;
    while (processAlive(host.azuritePid) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(processAlive(host.azuritePid)).toBe(false);
  }, 120_000);
});
