import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSpooledDecisionLog,
  createTableDecisionLog,
  createTableReplay,
  type DecisionLog,
  type DecisionRecord,
  type SpooledDecisionLog,
} from '../../src/platform/audit/index.js';
import { isRiskopsError } from '../../src/platform/errors/index.js';
import { createStorageClients, type StorageClients } from '../../src/platform/storage/index.js';
import { type FaultyAzurite, startFaultyAzurite } from '../faults/support.js';
import { unreachableStorage } from '../registry/support/dead-storage.js';
import { testStorage, uniqueName } from '../support/storage.js';
import { records } from './support.js';

const PARTITIONS = 4;

/** Every row of the table, counted by `{partition kind}|{requestId}`: exactly once means each count is 1. */
async function rowCounts(table: TableClient): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const entity of table.listEntities<{ record: string }>()) {
    const kind = entity.partitionKey?.includes('|entity|') ? 'entity' : 'day';
    const id = `${kind}|${(JSON.parse(entity.record) as DecisionRecord).requestId}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

function expectExactlyOnce(counts: Map<string, number>, expected: readonly DecisionRecord[]): void {
  const want = expected.flatMap((r) => [`day|${r.requestId}`, `entity|${r.requestId}`]).sort();
  expect([...counts.keys()].sort()).toEqual(want);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
}

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'riskops-spool-'));
  dirs.push(dir);
  return dir;
};

function spoolOver(
  storage: StorageClients,
  tableName: string,
  dir: string,
  overrides: { primary?: DecisionLog; maxBytes?: number } = {},
): Promise<SpooledDecisionLog> {
  const table = storage.table(tableName);
  return createSpooledDecisionLog({
    primary:
      overrides.primary ?? createTableDecisionLog({ table, entityPartitions: PARTITIONS, timeoutMs: 3000 }),
    replay: createTableReplay({ table, entityPartitions: PARTITIONS, timeoutMs: 1000 }),
    dir,
    directTimeoutMs: 300,
    replayIntervalMs: 200,
    maxBytes: overrides.maxBytes ?? 64 * 1024 * 1024,
    journalTimeoutMs: 5000,
    segmentBytes: 64 * 1024,
  });
}

async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('decision log spool against an Azurite that is paused and killed', () => {
  let azurite: FaultyAzurite;
  let storage: StorageClients;

  beforeAll(async () => {
    azurite = await startFaultyAzurite();
    storage = createStorageClients(
      { kind: 'connectionString', connectionString: azurite.connectionString },
      { fastTimeoutMs: 1000 },
    ).fast();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('spools every record of many concurrent appends during an outage, then writes each exactly once', async () => {
    const name = uniqueName('spool');
    const log = await spoolOver(storage, name, tempDir());
    const before = records(20, 'before');
    await log.append(before);
    expect(log.status()).toMatchObject({ mode: 'direct', pendingRecords: 0 });

    azurite.pause();
    try {
      const during = records(600, 'during');
      const started = performance.now();
      // 300 concurrent requests of 2 records each, as a loaded host would send them.
      await Promise.all(Array.from({ length: 300 }, (_, i) => log.append(during.slice(2 * i, 2 * i + 2))));
      expect(performance.now() - started).toBeLessThan(5000);
      expect(log.status()).toMatchObject({ mode: 'spooling', pendingRecords: 600 });
      expect(log.status().since).toEqual(expect.any(String));
      // The circuit is open: a later append does not wait on the paused table.
      const late = performance.now();
      await log.append(records(1, 'late'));
      expect(performance.now() - late).toBeLessThan(250);
      azurite.resume();
      await until(() => log.status().pendingRecords === 0 && log.status().mode === 'direct');
      const after = records(5, 'after');
      await log.append(after);
      expect(log.status()).toMatchObject({ mode: 'direct', pendingRecords: 0 });
      await log.close();
      expectExactlyOnce(await rowCounts(storage.table(name)), [
        ...before,
        ...during,
        ...records(1, 'late'),
        ...after,
      ]);
    } finally {
      azurite.resume();
    }
  });

  it('spools at once while storage refuses connections, and replays once it is back', async () => {
    const name = uniqueName('spool');
    // (Azurite keeps its metadata on disk every 5 s and a kill loses younger writes: nothing is written before.)
    const log = await spoolOver(storage, name, tempDir());
    await azurite.kill();
    try {
      const down = records(40, 'down');
      for (let i = 0; i < down.length; i += 4) await log.append(down.slice(i, i + 4));
      expect(log.status()).toMatchObject({ mode: 'spooling', pendingRecords: 40 });
      expect(await log.replay()).toBe(false);
      expect(log.status().lastError).toEqual(expect.any(String));
    } finally {
      await azurite.restart();
    }
    await until(() => log.status().pendingRecords === 0);
    await log.close();
    expectExactlyOnce(await rowCounts(storage.table(name)), records(40, 'down'));
  });
});

describe('decision log spool: crash, idempotence, failure', () => {
  const storage = testStorage();

  it('replays a journal left by a process killed after its appends were acknowledged', async () => {
    const dir = tempDir();
    const name = uniqueName('spool');
    const module = resolve('dist/src/platform/audit/index.js');
    // A separate process whose table is unreachable: it spools 30 records, says so, and is killed (SIGKILL).
    const script = `
      const { createSpooledDecisionLog } = await import(${JSON.stringify(module)});
      const failing = { append: async () => { throw new Error('table down'); }, find: async () => [], close: async () => {} };
      const log = await createSpooledDecisionLog({ primary: failing, replay: async () => { throw new Error('down'); },
        dir: ${JSON.stringify(dir)}, directTimeoutMs: 100, replayIntervalMs: 60000, maxBytes: 1e8, journalTimeoutMs: 5000 });
      const records = ${JSON.stringify(records(30, 'crashed'))};
      await Promise.all(records.map((r) => log.append([r])));
      process.stdout.write('acknowledged ' + log.status().pendingRecords + '\\n');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const exited = new Promise((done) => child.once('exit', done));
    await until(() => out.includes('acknowledged') || child.exitCode !== null, 20_000);
    expect(err).toBe('');
    expect(out).toContain('acknowledged 30');
    child.kill('SIGKILL');
    await exited;
    expect(readdirSync(dir).some((f) => f.endsWith('.jsonl'))).toBe(true);

    // A torn last line (a crash mid-write, never acknowledged) is not replayed.
    writeFileSync(
      join(dir, `${child.pid}-00000000-99999999.jsonl`),
      `${JSON.stringify(records(1, 'whole')[0])}\n{"requestId":"torn`,
    );
    // An unreadable segment is kept aside (`.corrupt`) and does not block the others.
    writeFileSync(join(dir, `${child.pid}-00000000-99999998.jsonl`), 'not json\n{}\n');
    const table = storage.table(name);
    // The new instance's own table writes work; it claims the dead process's journal on start.
    const log = await spoolOver(storage, name, dir);
    expect(log.status().pendingRecords).toBeGreaterThanOrEqual(31);
    await until(() => log.status().pendingRecords === 0);
    expect(log.status().corruptSegments).toBe(1);
    await log.close();
    expectExactlyOnce(await rowCounts(table), [...records(30, 'crashed'), ...records(1, 'whole')]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.corrupt'))).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
  });

  it('replays idempotently: rows already written (some or all) count as written, none is duplicated', async () => {
    const name = uniqueName('spool');
    const table = storage.table(name);
    const direct = createTableDecisionLog({ table, entityPartitions: PARTITIONS, timeoutMs: 5000 });
    const all = records(150, 'idem');
    await direct.append(all.slice(0, 70));
    const replay = createTableReplay({ table, entityPartitions: PARTITIONS, timeoutMs: 5000 });
    await replay(all);
    await replay(all);
    expectExactlyOnce(await rowCounts(table), all);
    await direct.close();
  });

  it('writes exactly the rows the table log writes', async () => {
    const sample = records(25, 'same');
    const viaLog = storage.table(uniqueName('spool'));
    const viaReplay = storage.table(uniqueName('spool'));
    const log = createTableDecisionLog({ table: viaLog, entityPartitions: PARTITIONS, timeoutMs: 5000 });
    await log.append(sample);
    await createTableReplay({ table: viaReplay, entityPartitions: PARTITIONS, timeoutMs: 5000 })(sample);
    const rows = async (t: TableClient) => {
      const out: unknown[] = [];
      for await (const { etag: _e, timestamp: _t, ...entity } of t.listEntities()) out.push(entity);
      return out;
    };
    expect(await rows(viaReplay)).toEqual(await rows(viaLog));
    await log.close();
  });

  it('fails with storage_unavailable (503) when neither the table nor the journal can take the records', async () => {
    const dead = await unreachableStorage();
    const dir = tempDir();
    const log = await spoolOver(dead, uniqueName('spool'), dir);
    // The journal folder disappears under the host (disk unmounted, folder removed): writes fail.
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, 'not a folder');
    const failure = await log.append(records(1, 'lost')).catch((error: unknown) => error);
    expect(isRiskopsError(failure) && failure.code).toBe('storage_unavailable');
    expect(isRiskopsError(failure) && failure.status).toBe(503);
    expect(log.status()).toMatchObject({ mode: 'spooling', pendingRecords: 0 });
    await log.close().catch(() => undefined);
    rmSync(dir, { force: true });

    // A full spool refuses too, rather than grow without bound.
    const small = await spoolOver(dead, uniqueName('spool'), tempDir(), { maxBytes: 2048 });
    await small.append(records(1, 'fits'));
    const full = await small.append(records(10, 'too-many')).catch((error: unknown) => error);
    expect(isRiskopsError(full) && full.code).toBe('storage_unavailable');
    expect(String((full as Error).message)).toContain('spool is full');
    await small.close();
  });
});
