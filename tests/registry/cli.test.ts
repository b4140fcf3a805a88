import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { run as exportFeatures } from '../../src/cli/commands/export-features.js';
import { run as models } from '../../src/cli/commands/models.js';
import { exportLogistic } from '../../src/platform/onnx/index.js';
import { getUseCase } from '../../src/use_cases/index.js';
import { uniqueName } from '../support/storage.js';

let dir = '';
const saved = { ...process.env };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'riskops-cli-'));
  process.env.AzureWebJobsStorage = inject('azuriteConnectionString');
  process.env.RISKOPS_MODELS_CONTAINER = uniqueName('models');
  process.env.RISKOPS_LEDGER_TABLE = uniqueName('ledger');
  process.env.RISKOPS_ACTOR = 'cli-tester';
});

afterAll(async () => {
  process.env = saved;
  await rm(dir, { recursive: true, force: true });
});

async function cli(command: (args: string[]) => Promise<number>, args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    expect(await command(args)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('riskops models and export-features', () => {
  it('exports features, pushes an external model with a sample, promotes it and answers history', async () => {
    const useCase = getUseCase('late_payment');
    if (useCase === undefined) throw new Error('late_payment missing');
    const csv = join(dir, 'features.csv');
    const records = join(dir, 'records.jsonl');
    await cli(exportFeatures, [
      'late_payment',
      '--rows',
      '300',
      '--seed',
      '5',
      '--out',
      csv,
      '--records',
      records,
    ]);
    const lines = (await readFile(csv, 'utf8')).trim().split('\n');
    expect(lines[0]?.split(',')).toEqual([...useCase.features.names, useCase.label.field]);
    expect(lines[1]?.split(',')).toHaveLength(useCase.features.width + 1);

    const width = useCase.features.width;
    const onnx = join(dir, 'model.onnx');
    const coefficients = Array.from({ length: width }, (_, j) => (j % 3) / 10);
    await writeFile(
      onnx,
      exportLogistic({ cols: width, coefficients, intercept: -1 }, useCase.features.names, {
        useCase: 'late_payment',
      }),
    );
    const pushed = await cli(models, [
      'push',
      'late_payment',
      onnx,
      '--external',
      '--sample',
      records,
      '--reason',
      'team model',
    ]);
    const version = /pushed late_payment (\S+)/.exec(pushed)?.[1] ?? '';
    expect(version).not.toBe('');
    expect(
      await cli(models, ['promote', 'late_payment', version, '--reason', 'first', '--from', 'none']),
    ).toContain(`(none) -> ${version}`);
    const listed = await cli(models, ['list', 'late_payment']);
    expect(listed).toContain(`champion   ${version}`);
    expect(listed).toMatch(/VERSION\s+ALIAS\s+ALGORITHM/);
    expect(await cli(models, ['show', 'late_payment', 'champion'])).toMatch(/algorithm\s+external/);
    const history = await cli(models, [
      'history',
      'late_payment',
      '--at',
      new Date(Date.now() + 1000).toISOString(),
    ]);
    expect(history).toContain(`champion at`);
    expect(history).toContain(`${version} (since`);
    expect(history).toMatch(/promote\s+champion\s+/);
  });
});
