/**
 * `riskops use-case new` on a large extract: rows per second of the streaming profile (type inference, ranges,
 * levels, reservoir sample) and the peak RSS, which should stay flat whatever the file size.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { scaffoldUseCase } from '../src/platform/scaffold/index.js';
import { telecomChurnCsv } from '../tests/support/telecom-csv.js';

const CHUNKS = 5;
const CHUNK_ROWS = 100_000;

export async function benchScaffold(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'riskops-bench-scaffold-'));
  try {
    const csv = join(dir, 'extract.csv');
    for (let i = 0; i < CHUNKS; i++) {
      const text = telecomChurnCsv({ rows: CHUNK_ROWS, seed: 100 + i });
      if (i === 0) writeFileSync(csv, text);
      else appendFileSync(csv, text.slice(text.indexOf('\n') + 1));
    }
    mkdirSync(join(dir, 'src', 'use_cases'), { recursive: true });
    cpSync(join(process.cwd(), 'src', 'use_cases', 'index.ts'), join(dir, 'src', 'use_cases', 'index.ts'));
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const t0 = performance.now();
    const result = await scaffoldUseCase({
      root: dir,
      name: 'bench_churn',
      from: csv,
      label: 'churn',
      format: false,
    });
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(timer);
    const rows = result.plan.rows;
    return {
      rows,
      columns: result.plan.columns.length,
      seconds: Number(seconds.toFixed(2)),
      rowsPerSecond: Math.round(rows / seconds),
      peakRssMb: Math.round(peak / 2 ** 20),
      rssGrowthMb: Math.round((peak - rssBefore) / 2 ** 20),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
