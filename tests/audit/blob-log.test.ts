import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createDecisionIndexer,
  createSpooledDecisionLog,
  createTableReplay,
  type DecisionRecord,
} from '../../src/platform/audit/index.js';
import { azuriteConnectionString, createStorageClients } from '../../src/platform/storage/index.js';
import { testStorage, uniqueName } from '../support/storage.js';
import { blobLog, records } from './support.js';

const PARTITIONS = 4;

/** Every record line of every blob in the container, by blob. */
async function lines(container: ContainerClient): Promise<Map<string, DecisionRecord[]>> {
  const out = new Map<string, DecisionRecord[]>();
  for await (const item of container.listBlobsFlat()) {
    const text = (await container.getBlobClient(item.name).downloadToBuffer()).toString('utf8');
    expect(text.endsWith('\n'), item.name).toBe(true);
    out.set(
      item.name,
      text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as DecisionRecord),
    );
  }
  return out;
}

const ids = (rs: readonly DecisionRecord[]): string[] => rs.map((r) => r.requestId).sort();

const servers: Server[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * An HTTP proxy in front of the run's Azurite blob endpoint. `loseNextAppend` makes the next append block
 * reach Azurite (and commit) but cuts the connection instead of returning the answer, as a network fault does.
 */
async function blobProxy(): Promise<{
  server: Server;
  connectionString: string;
  loseNextAppend(): void;
  appends(): number;
}> {
  const target = new URL(testStorage().container('x').url);
  let lose = false;
  let appends = 0;
  const server = createServer((req, res) => {
    const isAppend = (req.url ?? '').includes('comp=appendblock');
    if (isAppend) appends++;
    const cut = isAppend && lose;
    if (cut) lose = false;
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        if (cut) {
          answer.resume();
          answer.on('end', () => res.socket?.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const tableUrl = new URL(testStorage().table('x').url);
  return {
    server,
    connectionString: azuriteConnectionString({ blob: port, queue: 1, table: Number(tableUrl.port) }),
    loseNextAppend: () => {
      lose = true;
    },
    appends: () => appends,
  };
}

/** A blob-committed decision log in a new container (`name`) whose blob calls go through a new `blobProxy`. */
async function logBehindProxy() {
  const proxy = await blobProxy();
  const viaProxy = createStorageClients({
    kind: 'connectionString',
    connectionString: proxy.connectionString,
  });
  const name = uniqueName('decisionlog');
  const { log } = blobLog(viaProxy.container(name), uniqueName('decisions'));
  return { proxy, name, log };
}

describe('decision log committed to append blobs (Azurite)', () => {
  const storage = testStorage();

  it('groups concurrent appends into few blocks, each record once, and finds them through the index', async () => {
    const container = storage.container(uniqueName('decisionlog'));
    const { log } = blobLog(container, uniqueName('decisions'), {
      now: () => new Date('2026-12-01T12:00:00Z'),
    });
    const all = records(600, 'c');
    const calls = Array.from({ length: 60 }, (_, i) => all.slice(i * 10, i * 10 + 10));
    await Promise.all(calls.map((batch) => log.append(batch)));
    const blobs = await lines(container);
    expect([...blobs.keys()]).toEqual(['2026-12-01/test-writer-0000.jsonl']);
    expect(ids([...blobs.values()].flat())).toEqual(ids(all));
    const blocks = (await container.getAppendBlobClient('2026-12-01/test-writer-0000.jsonl').getProperties())
      .blobCommittedBlockCount;
    expect(blocks).toBeLessThan(calls.length); // group commit: many requests share one append
    const byDay = await log.find({ useCase: 'late_payment', date: '2026-12-01' });
    expect(ids(byDay)).toEqual(ids(all));
    const entity = await log.find({ useCase: 'late_payment', entityId: 'INV-5' });
    expect(ids(entity)).toEqual(ids(all.filter((r) => r.entityId === 'INV-5')));
    await log.close();
  });

  it('starts a new blob at the block limit and at a new UTC day', async () => {
    const container = storage.container(uniqueName('decisionlog'));
    let now = new Date('2026-12-01T23:59:00Z');
    const { log, indexer } = blobLog(container, uniqueName('decisions'), { maxBlocks: 2, now: () => now });
    const first = records(5, 'a');
    for (const r of first) await log.append([r]);
    now = new Date('2026-12-02T00:01:00Z');
    const second = records(2, 'b', '2026-12-02');
    for (const r of second) await log.append([r]);
    const blobs = await lines(container);
    expect([...blobs.keys()].sort()).toEqual([
      '2026-12-01/test-writer-0000.jsonl',
      '2026-12-01/test-writer-0001.jsonl',
      '2026-12-01/test-writer-0002.jsonl',
      '2026-12-02/test-writer-0000.jsonl',
    ]);
    expect(ids([...blobs.values()].flat())).toEqual(ids([...first, ...second]));
    const status = await indexer.catchUp();
    expect(status).toMatchObject({ pendingBytes: 0, indexedRecords: 7, unreadableLines: 0 });
    expect(ids(await log.find({ useCase: 'late_payment', date: '2026-12-02' }))).toEqual(ids(second));
    await log.close();
  });

  it('writes an append whose answer was lost exactly once (the blob length and bytes tell it landed)', async () => {
    const { proxy, name, log } = await logBehindProxy();
    const before = records(3, 'before');
    await log.append(before);
    proxy.loseNextAppend();
    const lost = records(4, 'lost');
    await log.append(lost); // resolves: the block is there, so the decision is on record
    const after = records(2, 'after');
    await log.append(after);
    const blobs = await lines(storage.container(name));
    expect(ids([...blobs.values()].flat())).toEqual(ids([...before, ...lost, ...after]));
    expect(blobs.size).toBe(1); // no doubt left, so no new blob was needed
    expect(proxy.appends()).toBeGreaterThanOrEqual(3);
    await log.close();
  });

  it('indexes idempotently from two indexers and resumes from its checkpoint', async () => {
    const container = storage.container(uniqueName('decisionlog'));
    const tableName = uniqueName('decisions');
    const { log, indexer, table } = blobLog(container, tableName);
    const first = records(250, 'x');
    await log.append(first);
    const other = createDecisionIndexer({
      container,
      table,
      write: createTableReplay({ table, entityPartitions: PARTITIONS, timeoutMs: 10_000 }),
      lookbackDays: 2,
    });
    await Promise.all([indexer.catchUp(), other.catchUp()]);
    const second = records(40, 'y');
    await log.append(second);
    const resumed = await indexer.catchUp();
    // The second round read only what came after its checkpoint.
    expect(resumed.pendingBytes).toBe(0);
    const counts = new Map<string, number>();
    for await (const row of table.listEntities<{ record?: string }>()) {
      if (row.partitionKey === '~index') continue;
      const kind = row.partitionKey?.includes('|entity|') ? 'entity' : 'day';
      const key = `${kind}|${(JSON.parse(row.record ?? '{}') as DecisionRecord).requestId}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const want = [...first, ...second].flatMap((r) => [`day|${r.requestId}`, `entity|${r.requestId}`]).sort();
    expect([...counts.keys()].sort()).toEqual(want);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    await log.close();
  });

  it('behind the spool: an outage journals decisions locally, and replay appends them to the blobs', async () => {
    const {
      proxy: { server },
      name,
      log: primary,
    } = await logBehindProxy();
    const dir = mkdtempSync(join(tmpdir(), 'riskops-blob-spool-'));
    dirs.push(dir);
    const spooled = await createSpooledDecisionLog({
      primary,
      replay: (rs) => primary.append(rs),
      dir,
      directTimeoutMs: 500,
      replayIntervalMs: 60_000,
      maxBytes: 10 * 1024 * 1024,
      journalTimeoutMs: 2000,
    });
    const ok = records(3, 'ok');
    await spooled.append(ok);
    const address = server.address() as AddressInfo;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const during = records(5, 'down');
    await spooled.append(during); // journaled: storage refused the connection
    expect(spooled.status()).toMatchObject({ mode: 'spooling', pendingRecords: 5 });
    await new Promise<void>((resolve) => server.listen(address.port, '127.0.0.1', resolve));
    expect(await spooled.replay()).toBe(true);
    const blobs = await lines(storage.container(name));
    expect(ids([...blobs.values()].flat())).toEqual(ids([...ok, ...during]));
    await spooled.close();
  });
});
