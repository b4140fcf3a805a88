import { gzipSync } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { csvCell, csvLine, schemaFields } from '../tabular/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { inputPrefix } from './paths.js';

/**
 * Drops a day of generated input for each use case that has none yet (`extract-a.csv` and
 * `extract-b.jsonl.gz`, about 1% malformed rows), so a new user sees a batch run at once. Idempotent.
 */
export async function seedInputs(
  inputs: ContainerClient,
  useCases: readonly AnyUseCase[],
  date: string,
  rows: number,
): Promise<string[]> {
  if (rows === 0) return [];
  await inputs.createIfNotExists();
  const written: string[] = [];
  for (const useCase of useCases) {
    const prefix = inputPrefix(useCase.name, date);
    const existing = inputs.listBlobsFlat({ prefix });
    if (!(await existing.next()).done) continue;
    // A use case built from a real data file has no generator: nothing to seed for it.
    if (useCase.generate === undefined) continue;
    const seed = Number(date.replaceAll('-', '')) % 100_000;
    const generated = useCase.generate({ rows, seed, startDate: date, malformedRate: 0.01 });
    const columns = schemaFields(useCase).map((f) => f.name);
    const half = Math.ceil(generated.length / 2);
    const csv = `${columns.map(csvCell).join(',')}\n${generated
      .slice(0, half)
      .map((r) => csvLine(r, columns))
      .join('')}`;
    const jsonl = generated
      .slice(half)
      .map(
        (r) => `${JSON.stringify(Object.fromEntries(columns.filter((c) => c in r).map((c) => [c, r[c]])))}\n`,
      )
      .join('');
    const files: [string, Buffer][] = [
      [`${prefix}extract-a.csv`, Buffer.from(csv)],
      [`${prefix}extract-b.jsonl.gz`, gzipSync(jsonl)],
    ];
    for (const [name, bytes] of files) {
      await inputs.getBlockBlobClient(name).uploadData(bytes);
      written.push(name);
    }
  }
  return written;
}
