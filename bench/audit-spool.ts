/**
 * Decision log spool benchmark: append latency of one decision record (what a score request waits for),
 * sequential and at 32 in flight, (a) straight to the table log, (b) through the spool while the table works
 * (`direct`), (c) through the spool while the table is unreachable (`spooling`: journal write + fsync), and
 * (d) how fast a journal is replayed into the table, and (e) the default commit, one append per group to a day
 * blob, with how fast its table index takes the records in. All in one run, against the same Azurite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  createBlobDecisionLog,
  createDecisionIndexer,
  createSpooledDecisionLog,
  createTableDecisionLog,
  createTableReplay,
  type DecisionLog,
  type DecisionRecord,
  findInTable,
} from '../src/platform/audit/index.js';
import {
  azuriteConnectionString,
  createStorageClients,
  type StorageClients,
} from '../src/platform/storage/index.js';

const SEQUENTIAL = 400;
const CONCURRENT = 32;
const CONCURRENT_TOTAL = 3200;
const REPLAY_RECORDS = 5000;
const PARTITIONS = 8;

let serial = 0;
function record(): DecisionRecord {
  const i = serial++;
  return {
    requestId: `bench-${process.pid}-${i}`,
    index: 0,
    time: new Date().toISOString(),
    useCase: 'late_payment',
    modelVersion: 'v1',
    modelSha256: 'a'.repeat(64),
    role: 'champion',
    entityId: `INV-${i % 997}`,
    inputs: {
      invoice_id: `INV-${i % 997}`,
      amount_due: 1234.5,
      days_to_due: 30,
      customer_name: 'hmac:'.padEnd(69, 'f'),
    },
    probability: 0.1234,
    band: 'low',
    action: 'none',
    reasons: [
      { feature: 'days_late_avg', value: 3.2, contribution: 0.41, text: 'Often pays late' },
      { feature: 'amount_due', value: 1234.5, contribution: 0.22, text: 'Large amount' },
    ],
    caller: 'bench',
  };
}

const q = (sorted: number[], p: number): number =>
  Math.round((sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN) * 100) /
  100;

async function measure(log: DecisionLog): Promise<Record<string, number>> {
  const seq: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t = performance.now();
    await log.append([record()]);
    seq.push(performance.now() - t);
  }
  const conc: number[] = [];
  let issued = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (issued++ < CONCURRENT_TOTAL) {
      const t = performance.now();
      await log.append([record()]);
      conc.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT }, worker));
  const seconds = (performance.now() - started) / 1000;
  seq.sort((a, b) => a - b);
  conc.sort((a, b) => a - b);
  return {
    sequentialP50Ms: q(seq, 0.5),
    sequentialP99Ms: q(seq, 0.99),
    concurrent32P50Ms: q(conc, 0.5),
    concurrent32P99Ms: q(conc, 0.99),
    concurrent32RecordsPerSecond: Math.round(CONCURRENT_TOTAL / seconds),
  };
}

async function closedPortStorage(): Promise<StorageClients> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const port = typeof address === 'object' && address !== null ? address.port : 1;
  return createStorageClients(
    {
      kind: 'connectionString',
      connectionString: azuriteConnectionString({ blob: port, queue: port, table: port }),
    },
    { fastTimeoutMs: 1000 },
  ).fast();
}

export async function benchAuditSpool(connectionString: string): Promise<Record<string, unknown>> {
  const storage = createStorageClients(
    { kind: 'connectionString', connectionString },
    { fastTimeoutMs: 2000 },
  ).fast();
  const dead = await closedPortStorage();
  const dir = mkdtempSync(join(tmpdir(), 'riskops-bench-spool-'));
  const spoolOver = (clients: StorageClients, name: string, sub: string) => {
    const table = clients.table(name);
    return createSpooledDecisionLog({
      primary: createTableDecisionLog({ table, entityPartitions: PARTITIONS, timeoutMs: 5000 }),
      replay: createTableReplay({ table, entityPartitions: PARTITIONS, timeoutMs: 2000 }),
      dir: join(dir, sub),
      directTimeoutMs: 1000,
      replayIntervalMs: 3_600_000, // replay only when the bench asks
      maxBytes: 1024 * 1024 * 1024,
      journalTimeoutMs: 5000,
    });
  };
  try {
    const raw = createTableDecisionLog({
      table: storage.table(`benchraw${process.pid}`),
      entityPartitions: PARTITIONS,
      timeoutMs: 5000,
    });
    await raw.append([record()]);
    const tableLog = await measure(raw);
    await raw.close();

    const indexTable = storage.table(`benchindex${process.pid}`);
    const container = storage.container(`benchblob${process.pid}`);
    const indexer = createDecisionIndexer({
      container,
      table: indexTable,
      write: createTableReplay({ table: indexTable, entityPartitions: PARTITIONS, timeoutMs: 10_000 }),
      lookbackDays: 1,
    });
    const blob = createBlobDecisionLog({
      container,
      writerId: `bench-${process.pid}`,
      timeoutMs: 5000,
      indexer,
      read: findInTable(indexTable, PARTITIONS),
    });
    await blob.append([record()]);
    const blobLog = await measure(blob);
    await blob.close();
    const i0 = performance.now();
    const indexed = await indexer.catchUp();
    const indexSeconds = (performance.now() - i0) / 1000;
    const blobIndex = {
      records: indexed.indexedRecords,
      seconds: Math.round(indexSeconds * 100) / 100,
      recordsPerSecond: Math.round(indexed.indexedRecords / indexSeconds),
      ...(indexed.lastError === undefined ? {} : { error: indexed.lastError }),
    };

    const direct = await spoolOver(storage, `benchdirect${process.pid}`, 'direct');
    await direct.append([record()]);
    const spoolDirect = { ...(await measure(direct)), mode: direct.status().mode };
    await direct.close();

    const down = await spoolOver(dead, `benchdown${process.pid}`, 'down');
    const t = performance.now();
    await down.append([record()]); // opens the circuit: the one request that pays for the outage
    const firstAppendMs = Math.round((performance.now() - t) * 100) / 100;
    const spooling = { firstAppendMs, ...(await measure(down)), mode: down.status().mode };
    await down.close();

    // Replay: a journal of REPLAY_RECORDS records, written while the table was down, into the working table.
    const replayDir = 'replay';
    const writer = await spoolOver(dead, `benchreplay${process.pid}`, replayDir);
    const batch: Promise<void>[] = [];
    for (let i = 0; i < REPLAY_RECORDS; i++) batch.push(writer.append([record()]));
    await Promise.all(batch);
    await writer.close();
    const reader = await spoolOver(storage, `benchreplay${process.pid}`, replayDir);
    const pending = reader.status().pendingRecords;
    const r0 = performance.now();
    while (!(await reader.replay())) {
      if (performance.now() - r0 > 120_000) throw new Error('replay did not finish');
    }
    const replaySeconds = (performance.now() - r0) / 1000;
    await reader.close();
    return {
      records: { sequential: SEQUENTIAL, concurrent: CONCURRENT_TOTAL, inFlight: CONCURRENT },
      tableLog,
      blobLog,
      blobIndex,
      spoolDirect,
      spooling,
      replay: {
        records: pending,
        seconds: Math.round(replaySeconds * 100) / 100,
        recordsPerSecond: Math.round(pending / replaySeconds),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
