import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRegistryModelProvider,
  pushExternal,
  SEED_REASON,
  seedRegistryFromDirectory,
} from '../../src/platform/registry/index.js';
import { scoreValidated } from '../../src/platform/scoring/index.js';
import { alice, coefficients, testModel, testRegistry, testUseCase } from './support/fixtures.js';
import { linearModel } from './support/onnx-models.js';

const UC = testUseCase.name;
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('seeding from models/', () => {
  it('pushes and crowns the shipped model once, and does nothing on restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'riskops-seed-'));
    dirs.push(dir);
    const { bytes, manifest } = testModel(1);
    await mkdir(join(dir, UC));
    await writeFile(join(dir, UC, 'model.onnx'), bytes);
    await writeFile(join(dir, UC, 'manifest.json'), JSON.stringify(manifest));
    const { registry } = testRegistry({ requireApproval: true });

    const first = await seedRegistryFromDirectory(registry, dir, [UC]);
    expect(first).toEqual([{ useCase: UC, status: 'pushed', version: expect.any(String), promoted: true }]);
    const again = await seedRegistryFromDirectory(registry, dir, [UC]);
    expect(again).toEqual([
      { useCase: UC, status: 'registered', version: first[0]?.version, promoted: false },
    ]);
    expect(await registry.resolve(UC, 'champion')).toBe(first[0]?.version);
    const ledger = await registry.history(UC);
    expect(ledger.map((e) => [e.action, e.reason])).toEqual([
      ['promote', SEED_REASON],
      ['push', SEED_REASON],
    ]);
  });

  it('reports use cases without shipped files as absent', async () => {
    const { registry } = testRegistry();
    const dir = await mkdtemp(join(tmpdir(), 'riskops-seed-'));
    dirs.push(dir);
    expect(await seedRegistryFromDirectory(registry, dir, [UC])).toEqual([
      { useCase: UC, status: 'absent', promoted: false },
    ]);
  });
});

describe('bring your own model', () => {
  it('fills in the manifest from the use case and a labeled sample, and serves the model', async () => {
    const { registry } = testRegistry();
    const bytes = linearModel({ coefficients: coefficients(4), intercept: -2, layout: 'zipmap' });
    const sample = testUseCase.generate({ rows: 300, seed: 7 });
    sample.push({ id: 'broken', days: 'soon' });
    const pushed = await pushExternal(
      registry,
      testUseCase,
      bytes,
      { codeVersion: 'team-x/1.4' },
      {
        ...alice,
        sample,
      },
    );
    const m = pushed.manifest;
    expect(m.algorithm).toBe('external');
    expect(m.codeVersion).toBe('team-x/1.4');
    expect(m.features.names).toEqual(testUseCase.features.names);
    expect(m.features.state.medians.days).toBeGreaterThan(0);
    expect(m.training).toMatchObject({ source: 'external', rows: 301, rejectedRows: 1, validationRows: 300 });
    expect(m.metrics.rows).toBe(300);
    expect(m.metrics.auc).toBeGreaterThan(0.5);
    expect(m.reference.rows).toBe(300);
    expect(m.reference.features.map((f) => [f.name, f.kind])).toEqual([
      ['amount', 'numeric'],
      ['days', 'numeric'],
      ['channel', 'categorical'],
      ['repeat', 'categorical'],
    ]);
    const score = m.reference.score;
    expect(score.counts.reduce((a, b) => a + b, 0) + score.missing).toBe(300);
    expect(pushed.rewritten).toBe(true);

    await registry.promote(UC, pushed.version, alice);
    const provider = createRegistryModelProvider({ registry, refreshMs: 1000 });
    const model = await provider.get(UC);
    const records = sample.slice(0, 3).map((row) => testUseCase.schema.parse(row));
    const scores = await scoreValidated(testUseCase, model, records);
    expect(scores.map((s) => s.entityId)).toEqual(['r0', 'r1', 'r2']);
    for (const s of scores) expect(s.probability).toBeGreaterThan(0);
    await provider.close();
  });

  it('accepts a model without a sample, and refuses a partial manifest with a bad field', async () => {
    const { registry } = testRegistry();
    const bytes = linearModel({ coefficients: coefficients(5) });
    const pushed = await pushExternal(registry, testUseCase, bytes, {}, alice);
    expect(pushed.manifest.metrics.rows).toBe(0);
    expect(pushed.manifest.reference.rows).toBe(0);
    const error = await pushExternal(registry, testUseCase, bytes, { seed: 'x' }, alice).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: 'seed' }] });
  });
});
