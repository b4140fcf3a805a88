/** Child of the batch benchmark: scores one local file with the chunk pipeline and prints its peak RSS as JSON. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scoreFile } from '../src/platform/batch/index.js';
import { ManifestSchema, sha256Hex } from '../src/platform/model/index.js';
import { openSession } from '../src/platform/registry/index.js';
import { latePayment } from '../src/use_cases/late_payment/index.js';

const [input = '', output = ''] = process.argv.slice(2);
const bytes = await readFile(join('models', 'late_payment', 'model.onnx'));
const manifest = ManifestSchema.parse(
  JSON.parse(await readFile(join('models', 'late_payment', 'manifest.json'), 'utf8')),
);
const session = await openSession(bytes, 'late_payment');
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 100);
const started = performance.now();
const counts = await scoreFile({
  useCase: latePayment,
  // With its bytes the model is scored on a worker thread, as chunks do: the peak includes the worker.
  model: { useCase: 'late_payment', version: 'bench', sha256: sha256Hex(bytes), manifest, session, bytes },
  input,
  output,
});
clearInterval(sampler);
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    rows: counts.rows,
    scored: counts.scored,
    seconds,
    rowsPerSecond: Math.round(counts.rows / seconds),
    peakRssMB: Math.round(Math.max(peak, process.resourceUsage().maxRSS * 1024) / 2 ** 20),
  }),
);
await session.release();
