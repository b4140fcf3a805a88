/**
 * `npm run bench`: runs each benchmark and writes its JSON to bench/results/<name>.json, plus a summary of
 * the machine and Node version. Benchmarks that need storage share one in-memory Azurite started here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from '../src/platform/storage/index.js';
import { benchAuditSpool } from './audit-spool.js';
import { benchBatch } from './batch.js';
import { benchDrift } from './drift.js';
import { benchFaults } from './faults.js';
import { benchHandlerCost } from './handler-cost.js';
import { benchHttpLoad } from './http-load.js';
import { benchLedger } from './ledger.js';
import { benchPerformance } from './performance.js';
import { benchRegistry } from './registry.js';
import { benchScaffold } from './scaffold.js';
import { benchScoring } from './scoring.js';
import { benchTraining } from './training.js';
import { benchTrainingPipeline } from './training-pipeline.js';

type Bench = { name: string; run: (ctx: { connectionString: string }) => Promise<Record<string, unknown>> };

const BENCHES: Bench[] = [
  { name: 'training', run: () => benchTraining() },
  { name: 'training-pipeline', run: () => benchTrainingPipeline() },
  { name: 'registry', run: ({ connectionString }) => benchRegistry(connectionString) },
  { name: 'ledger', run: ({ connectionString }) => benchLedger(connectionString) },
  { name: 'scoring', run: ({ connectionString }) => benchScoring(connectionString) },
  { name: 'scaffold', run: () => benchScaffold() },
  { name: 'faults', run: () => benchFaults() },
  { name: 'drift', run: ({ connectionString }) => benchDrift(connectionString) },
  { name: 'performance', run: ({ connectionString }) => benchPerformance(connectionString) },
  { name: 'batch', run: () => benchBatch() },
  { name: 'scoring-handler', run: ({ connectionString }) => benchHandlerCost(connectionString) },
  { name: 'scoring-http-load', run: () => benchHttpLoad() },
  { name: 'audit-spool', run: ({ connectionString }) => benchAuditSpool(connectionString) },
];

const RESULTS = join(process.cwd(), 'bench', 'results');

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  mkdirSync(RESULTS, { recursive: true });
  const azurite = await startAzurite();
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
  try {
    for (const bench of BENCHES) {
      if (only.length > 0 && !only.includes(bench.name)) continue;
      process.stderr.write(`bench ${bench.name} …\n`);
      const result = await bench.run({ connectionString: azurite.connectionString });
      const record = { bench: bench.name, at: new Date().toISOString(), machine, result };
      writeFileSync(join(RESULTS, `${bench.name}.json`), `${JSON.stringify(record, null, 2)}\n`);
      console.log(JSON.stringify(record, null, 2));
    }
  } finally {
    await azurite.stop();
  }
}

await main();
