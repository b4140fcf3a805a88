/**
 * Where a use case's training rows come from when the caller gives none: its synthetic generator, or
 * else the labeled data file committed with it (`training.dataFile`), so `riskops train all` and the
 * shipped-model checks work the same for a use case built from a real data file.
 */
import { basename, resolve } from 'node:path';
import { RiskopsError } from '../errors/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { readLabeledFile, type SourceRow, sourceRows } from './data-file.js';

export interface DefaultRows {
  rows: Iterable<SourceRow> | AsyncIterable<SourceRow>;
  /** Recorded in the manifest: `synthetic:seed=…:rows=…`, or the data file's base name. */
  source: string;
  /** What the progress line says. */
  describe: string;
}

/**
 * @param root directory `training.dataFile` is relative to (default: the working directory, the project root
 *   for the CLI and the tests).
 * @throws RiskopsError `invalid_input` when the use case has neither a generator nor a data file.
 */
export function defaultRows(
  useCase: AnyUseCase,
  options: { seed: number; syntheticRows?: number | undefined; root?: string },
): DefaultRows {
  const { training } = useCase;
  if (useCase.generate !== undefined) {
    const n = options.syntheticRows ?? training.syntheticRows;
    if (n === undefined)
      throw new RiskopsError('invalid_settings', `${useCase.name}: training.syntheticRows is not set`);
    return {
      rows: sourceRows(useCase.generate({ rows: n, seed: options.seed })),
      source: `synthetic:seed=${options.seed}:rows=${n}`,
      describe: `generating ${n} ${useCase.name} rows (seed ${options.seed})`,
    };
  }
  if (training.dataFile !== undefined) {
    if (options.syntheticRows !== undefined)
      throw new RiskopsError(
        'invalid_input',
        `${useCase.name} has no synthetic data generator, so a row count cannot be generated; it trains from ${training.dataFile} or --data`,
      );
    const path = resolve(options.root ?? process.cwd(), training.dataFile);
    return {
      rows: readLabeledFile(path, useCase),
      source: basename(training.dataFile),
      describe: `reading ${training.dataFile}`,
    };
  }
  throw new RiskopsError(
    'invalid_input',
    `${useCase.name} has no synthetic data generator and no training.dataFile: pass its labeled data (riskops train ${useCase.name} --data file.csv)`,
  );
}
