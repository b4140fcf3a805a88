import { resolve } from 'node:path';
import { readLabeledFile } from '../../src/platform/training/index.js';
import type { AnyUseCase, LabeledRow } from '../../src/platform/use-case/index.js';

/**
 * Example labeled rows of a use case for the contract checks: generated when it has a generator, else the
 * first `rows` rows of its committed `training.dataFile`, as the data-file reader gives them to the schema.
 * Undefined when it has neither (a use case that trains only from `--data`).
 */
export async function exampleRows(
  useCase: AnyUseCase,
  rows: number,
  seed: number,
): Promise<LabeledRow[] | undefined> {
  if (useCase.generate !== undefined) return useCase.generate({ rows, seed });
  const file = useCase.training.dataFile;
  if (file === undefined) return undefined;
  const out: LabeledRow[] = [];
  for await (const source of readLabeledFile(resolve(file), useCase)) {
    if ('row' in source) out.push(source.row);
    if (out.length >= rows) break;
  }
  return out;
}
