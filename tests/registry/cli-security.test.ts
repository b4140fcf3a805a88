import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { odata } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { run as models } from '../../src/cli/commands/models.js';
import { exportLogistic } from '../../src/platform/onnx/index.js';
import { getUseCase } from '../../src/use_cases/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

let dir = '';
const saved = { ...process.env };
const container = uniqueName('models');
const ledgerTable = uniqueName('ledger');
const UC = 'late_payment';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'riskops-cli-sec-'));
  process.env.AzureWebJobsStorage = inject('azuriteConnectionString');
  process.env.RISKOPS_MODELS_CONTAINER = container;
  process.env.RISKOPS_LEDGER_TABLE = ledgerTable;
  process.env.RISKOPS_ACTOR = 'pusher';
});

afterAll(async () => {
  process.env = saved;
  await rm(dir, { recursive: true, force: true });
});

/** Runs `riskops models ...` and returns its exit code and output. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await models(args), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

async function modelFile(k: number): Promise<string> {
  const useCase = getUseCase(UC);
  if (useCase === undefined) throw new Error('late_payment missing');
  const coefficients = Array.from({ length: useCase.features.width }, (_, j) => ((j + k) % 5) / 10);
  const path = join(dir, `model-${k}.onnx`);
  await writeFile(
    path,
    exportLogistic({ cols: useCase.features.width, coefficients, intercept: -1 }, useCase.features.names, {
      useCase: UC,
    }),
  );
  return path;
}

async function push(k: number): Promise<string> {
  const pushed = await cli(['push', UC, await modelFile(k), '--external', '--reason', `candidate ${k}`]);
  expect(pushed.code).toBe(0);
  return /pushed late_payment (\S+)/.exec(pushed.out)?.[1] ?? '';
}

describe('riskops models: documented codes, ledger verification and policy', () => {
  it('prints integrity_error for a tampered version, and refuses an oversized actor before any write', async () => {
    const version = await push(1);
    const blob = testStorage().container(container).getBlockBlobClient(`${UC}/${version}/model.onnx`);
    const bytes = await blob.downloadToBuffer();
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    await blob.uploadData(bytes);
    const promoted = await cli(['promote', UC, version, '--reason', 'release']);
    expect(promoted.code).toBe(1);
    expect(promoted.err).toContain('integrity_error');

    const before = await cli(['history', UC]);
    process.env.RISKOPS_ACTOR = 'x'.repeat(70_000);
    try {
      const refused = await cli(['retire', UC, version, '--reason', 'tampered']);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/invalid_settings.*RISKOPS_ACTOR/s);
    } finally {
      process.env.RISKOPS_ACTOR = 'pusher';
    }
    expect((await cli(['history', UC])).out).toBe(before.out);
  });

  it('verify-ledger exits 1 naming the entry once an actor is rewritten in the table', async () => {
    await push(2);
    expect((await cli(['verify-ledger', UC])).code).toBe(0);
    const table = testStorage().table(ledgerTable);
    for await (const row of table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${UC} and action eq ${'push'}` },
    })) {
      await table.updateEntity(
        { partitionKey: UC, rowKey: row.rowKey ?? '', actor: 'someone-else' },
        'Merge',
      );
      break;
    }
    const verified = await cli(['verify-ledger', UC]);
    expect(verified.code).toBe(1);
    expect(verified.out).toContain('LEDGER CHAIN BROKEN');
    expect(verified.out).toContain('push entry was edited');
    expect((await cli(['history', UC])).out).toContain('LEDGER CHAIN BROKEN');
  });

  it('changes the approval policy only with a reason, and then holds the pusher to it', async () => {
    expect((await cli(['policy', UC, '--require-approval', 'true'])).code).toBe(1);
    const set = await cli(['policy', UC, '--require-approval', 'true', '--reason', 'production use case']);
    expect(set).toMatchObject({ code: 0 });
    expect(set.out).toContain('approval required for champion');
    const version = await push(3);
    const self = await cli(['promote', UC, version, '--reason', 'ship it']);
    expect(self.code).toBe(1);
    expect(self.err).toContain('forbidden');
    expect((await cli(['history', UC])).out).toMatch(/policy\s+.*pusher/);
  });
});
