import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { csvCell, csvLine, schemaFields } from '../src/platform/tabular/index.js';
import { type AnyUseCase, requireGenerator } from '../src/platform/use-case/index.js';

/** Writes `rows` generated input records (no label, unique entity ids) as CSV, 100k at a time. */
export async function writeInputCsv(path: string, useCase: AnyUseCase, rows: number): Promise<void> {
  const columns = schemaFields(useCase).map((f) => f.name);
  const out = createWriteStream(path);
  out.write(`${columns.map(csvCell).join(',')}\n`);
  for (let done = 0, part = 0; done < rows; part++) {
    const n = Math.min(100_000, rows - done);
    const generated = requireGenerator(useCase)({ rows: n, seed: 1000 + part });
    let text = '';
    for (const row of generated) {
      row[useCase.entityIdField] = `B${part}-${String(row[useCase.entityIdField])}`;
      text += csvLine(row, columns);
    }
    if (!out.write(text)) await once(out, 'drain');
    done += n;
  }
  out.end();
  await once(out, 'close');
}
