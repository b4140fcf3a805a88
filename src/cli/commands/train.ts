/** `riskops train`: validate data, train, evaluate against the gate, and write the model directory. */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { parseArgs } from 'node:util';
import { InferenceSession } from 'onnxruntime-node';
import { isRiskopsError, RiskopsError } from '../../platform/errors/index.js';
import { type Manifest, ManifestSchema, type Metrics } from '../../platform/model/index.js';
import {
  type AlgorithmEvaluation,
  type AlgorithmName,
  type ChampionOptions,
  MANIFEST_FILE,
  MODEL_FILE,
  onnxChampion,
  readLabeledFile,
  type TrainingResult,
  type TrainUseCaseOptions,
  trainUseCase,
  type ValidationReport,
  writeLabeledFile,
  writeModelDirectory,
} from '../../platform/training/index.js';
import { type AnyUseCase, type GeneratorOptions, requireGenerator } from '../../platform/use-case/index.js';
import { getUseCase, USE_CASE_NAMES, USE_CASES } from '../../use_cases/index.js';
import { parseCommandArgs } from '../args.js';

const USAGE = `usage: riskops train <useCase|all> [options]

Validates labeled data against the use case's contract, trains, evaluates on a seeded holdout and writes
<out>/<useCase>/model.onnx, manifest.json and validation.json. Without --data the use case's
deterministic generator supplies training.syntheticRows rows with training.seed (a use case built from
a data file, without a generator, reads its committed training.dataFile): the same command always
writes byte-identical files.

  --algorithm gbdt|logistic   override the use case's algorithm
  --rows N                    generated rows (default: the use case's syntheticRows; needs a generator)
  --seed S                    seed of the generator, split and trainer (default: the use case's)
  --data file.csv|file.jsonl  labeled rows instead of generated ones (header row for CSV)
  --out DIR                   models root (default: models)
  --compare                   also train the other algorithm on the same split; print both
  --previous PATH             previous manifest.json (or its directory): check the data for drift
  --champion DIR              champion model directory: score it on the same holdout, gate on it
  --force                     write the model even when the gate fails
  --generate FILE             only write generated rows to FILE (.csv or .jsonl) and exit (needs a generator);
                              with --malformed-rate R, --missing-rate R, --drift field=shift,...

Exit codes: 0 gate passed (model written); 3 gate failed (nothing written unless --force);
1 data contract or other error; 2 usage.
`;

const OPTIONS = {
  algorithm: { type: 'string' },
  rows: { type: 'string' },
  seed: { type: 'string' },
  data: { type: 'string' },
  out: { type: 'string', default: 'models' },
  compare: { type: 'boolean', default: false },
  previous: { type: 'string' },
  champion: { type: 'string' },
  force: { type: 'boolean', default: false },
  generate: { type: 'string' },
  'malformed-rate': { type: 'string' },
  'missing-rate': { type: 'string' },
  drift: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function usageError(message: string): RiskopsError {
  return new RiskopsError('invalid_input', `${message}\n\n${USAGE}`);
}

function integer(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw usageError(`--${name} must be an integer ≥ ${min}`);
  return n;
}

function rate(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw usageError(`--${name} must be in [0, 1]`);
  return n;
}

function driftOption(value: string | undefined): Record<string, number> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const part of value.split(',')) {
    const [field, shift] = part.split('=');
    const n = Number(shift);
    if (field === undefined || field === '' || !Number.isFinite(n))
      throw usageError('--drift is field=shift,...');
    out[field] = n;
  }
  return out;
}

/** `path` itself when it is a file; else `path/<name>`, or `path/<useCase>/<name>`. */
async function modelFile(path: string, useCase: string, name: string): Promise<string> {
  const isFile = async (p: string): Promise<boolean> =>
    (await stat(p).catch(() => undefined))?.isFile() ?? false;
  for (const candidate of [path, join(path, name), join(path, useCase, name)])
    if (await isFile(candidate)) return candidate;
  throw new RiskopsError('not_found', `no ${name} for ${useCase} at ${path}`);
}

async function readManifest(path: string): Promise<Manifest> {
  return ManifestSchema.parse(JSON.parse(await readFile(path, 'utf8')));
}

/** Scores the champion's ONNX with onnxruntime on the challenger's holdout. */
async function loadChampion(
  dir: string,
  useCase: string,
): Promise<{ champion: ChampionOptions; close(): Promise<void> }> {
  const manifest = await readManifest(await modelFile(dir, useCase, MANIFEST_FILE));
  const session = await InferenceSession.create(await readFile(await modelFile(dir, useCase, MODEL_FILE)));
  return {
    champion: onnxChampion(manifest, session),
    close: () => session.release(),
  };
}

/** Stage messages on stderr: rewritten in place on a terminal, plain lines otherwise. */
function progressReporter(useCase: string): {
  report: NonNullable<TrainUseCaseOptions['onProgress']>;
  done(): void;
} {
  const tty = process.stderr.isTTY === true;
  const start = performance.now();
  return {
    report({ message }) {
      const line = `[${useCase} ${((performance.now() - start) / 1000).toFixed(1)}s] ${message}`;
      process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

const f4 = (x: number): string => x.toFixed(4);

function metricRows(metrics: readonly Metrics[]): string[][] {
  const rows: string[][] = [
    ['AUC', ...metrics.map((m) => f4(m.auc))],
    ['Brier', ...metrics.map((m) => f4(m.brier))],
    ['ECE', ...metrics.map((m) => f4(m.ece))],
    ['log loss', ...metrics.map((m) => f4(m.logLoss))],
    ['KS', ...metrics.map((m) => f4(m.ks))],
  ];
  const first = metrics[0];
  for (const [b, band] of (first?.bands ?? []).entries()) {
    if (band.threshold === 0) continue; // everything is at or above 0
    const cell = (m: Metrics): string => {
      const x = m.bands[b];
      return x === undefined ? '-' : `${f4(x.precision)} / ${f4(x.recall)} / ${f4(x.rate)}`;
    };
    rows.push([`${band.band} ≥ ${band.threshold} (prec / recall / rate)`, ...metrics.map(cell)]);
  }
  return rows;
}

function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `  ${cells.map((c, j) => c.padEnd(widths[j] ?? 0)).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function gateLines(evaluations: readonly Pick<AlgorithmEvaluation, 'algorithm' | 'gate'>[]): string[] {
  return evaluations.flatMap(({ algorithm, gate }) => [
    `gate (${algorithm}): ${gate.passed ? 'PASSED' : 'FAILED'}`,
    ...gate.checks.map(
      (c) =>
        `  ${c.passed ? 'PASS' : 'FAIL'}  ${c.name.padEnd(17)} ${f4(c.value)} ${c.comparator} ${f4(c.threshold)}${c.enforced ? '' : '  (reported only)'}`,
    ),
  ]);
}

function rejectLines(report: ValidationReport, more: string): string[] {
  const lines = report.rejects.slice(0, 5).map((r) => `  rejected line ${r.line}: ${r.reasons.join('; ')}`);
  if (report.rows.rejected > 5) lines.push(`  … ${report.rows.rejected - 5} more ${more}`);
  return lines;
}

function validationLines(report: ValidationReport): string[] {
  const { input, valid, rejected } = report.rows;
  return [
    `data: ${report.source}: ${valid} of ${input} rows valid, ${rejected} rejected; positive rate ${f4(report.label.positiveRate)}`,
    ...rejectLines(report, 'rejected rows (listed in validation.json)'),
    ...report.issues.map((issue) => `  ${issue.severity}: ${issue.message}`),
  ];
}

function summary(useCase: AnyUseCase, result: TrainingResult): string {
  const { manifest } = result;
  const evaluations: Pick<AlgorithmEvaluation, 'algorithm' | 'metrics' | 'gate' | 'detail'>[] =
    result.comparison ?? [
      {
        algorithm: manifest.algorithm === 'gradient_boosting' ? 'gbdt' : 'logistic',
        metrics: manifest.metrics,
        gate: manifest.gate,
        detail: '',
      },
    ];
  const header = ['holdout', ...evaluations.map((e) => e.algorithm)];
  const rows = metricRows(evaluations.map((e) => e.metrics));
  if (result.champion !== undefined && 'metrics' in result.champion) {
    header.push('champion');
    for (const [i, r] of metricRows([result.champion.metrics]).entries()) rows[i]?.push(r[1] ?? '');
  }
  const lines = [
    `${useCase.name}: ${manifest.algorithm}, ${manifest.metrics.rows} holdout rows (${manifest.metrics.positives} positive)`,
    ...validationLines(result.validationReport),
    ...(result.comparison ?? []).map((e) => `  ${e.algorithm}: ${e.detail}, ${e.seconds.toFixed(1)}s`),
    ...(result.champion !== undefined && 'skipped' in result.champion
      ? [`  champion not compared: ${result.champion.skipped}`]
      : []),
    table(header, rows),
    ...gateLines(evaluations),
  ];
  return `${lines.join('\n')}\n`;
}

async function generate(useCase: AnyUseCase, file: string, values: Values): Promise<number> {
  const generateRows = requireGenerator(useCase, `its labeled data file instead (nothing to --generate)`);
  const options: GeneratorOptions = {
    rows: integer(values.rows, 'rows', 1) ?? useCase.training.syntheticRows ?? 10_000,
    seed: integer(values.seed, 'seed', Number.MIN_SAFE_INTEGER) ?? useCase.training.seed,
  };
  const malformed = rate(values['malformed-rate'], 'malformed-rate');
  const missing = rate(values['missing-rate'], 'missing-rate');
  const drift = driftOption(values.drift);
  if (malformed !== undefined) options.malformedRate = malformed;
  if (missing !== undefined) options.missingRate = missing;
  if (drift !== undefined) options.dataDrift = drift;
  const count = await writeLabeledFile(file, useCase, generateRows(options));
  process.stdout.write(`wrote ${count} ${useCase.name} rows (seed ${options.seed}) to ${file}\n`);
  return 0;
}

/** Trains one use case; returns its exit code. */
async function trainOne(useCase: AnyUseCase, values: Values): Promise<number> {
  const options: TrainUseCaseOptions = { compare: values.compare };
  const algorithm = values.algorithm;
  if (algorithm !== undefined) {
    if (algorithm !== 'gbdt' && algorithm !== 'logistic') throw usageError('--algorithm is gbdt or logistic');
    options.algorithm = algorithm as AlgorithmName;
  }
  const rows = integer(values.rows, 'rows', 1);
  const seed = integer(values.seed, 'seed', Number.MIN_SAFE_INTEGER);
  if (rows !== undefined) options.syntheticRows = rows;
  if (seed !== undefined) options.seed = seed;
  if (values.data !== undefined) {
    options.rows = readLabeledFile(values.data, useCase);
    options.source = basename(values.data);
  }
  if (values.previous !== undefined)
    options.previous = await readManifest(await modelFile(values.previous, useCase.name, MANIFEST_FILE));
  const champion =
    values.champion === undefined ? undefined : await loadChampion(values.champion, useCase.name);
  if (champion !== undefined) options.champion = champion.champion;

  const progress = progressReporter(useCase.name);
  options.onProgress = progress.report;
  let result: TrainingResult;
  try {
    result = await trainUseCase(useCase, options);
  } catch (error) {
    if (!isRiskopsError(error, 'data_contract')) throw error;
    const report = error.details.report as ValidationReport | undefined;
    process.stderr.write(`${error.message}\n`);
    if (report !== undefined) {
      const lines = [
        ...rejectLines(report, 'rejected rows'),
        ...report.issues.filter((i) => i.severity === 'warning').map((i) => `  warning: ${i.message}`),
      ];
      if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
    }
    return 1;
  } finally {
    progress.done();
    await champion?.close();
  }

  process.stdout.write(summary(useCase, result));
  const passed = result.manifest.gate.passed;
  if (passed || values.force) {
    const dir = join(values.out, useCase.name);
    await writeModelDirectory(dir, result);
    process.stdout.write(
      `wrote ${dir}/{${MODEL_FILE},${MANIFEST_FILE},validation.json} sha256 ${result.manifest.onnx.sha256}` +
        `${passed ? '' : ' (gate failed, written because of --force)'}; peak RSS ${result.stats.peakRssMb} MB\n\n`,
    );
  } else {
    process.stdout.write('gate failed: model not written (use --force to write it anyway)\n\n');
  }
  return passed ? 0 : 3;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const useCases = name === 'all' ? USE_CASES : [getUseCase(name)];
  if (useCases.some((u) => u === undefined))
    throw new RiskopsError(
      'unknown_use_case',
      `Unknown use case '${name}'. Known: all, ${USE_CASE_NAMES.join(', ')}`,
    );
  if (useCases.length > 1 && (values.data !== undefined || values.generate !== undefined))
    throw usageError('--data and --generate take one use case');

  let code = 0;
  for (const useCase of useCases as AnyUseCase[]) {
    if (values.generate !== undefined) return generate(useCase, values.generate, values);
    let exit: number;
    try {
      exit = await trainOne(useCase, values);
    } catch (error) {
      // `train all`: a use case that cannot be trained (no generator, no data file) does not stop the others.
      if (useCases.length === 1 || !isRiskopsError(error, 'invalid_input')) throw error;
      process.stderr.write(`${useCase.name}: not trained: ${error.message}\n\n`);
      exit = 1;
    }
    if (exit === 1 || (exit === 3 && code === 0)) code = exit;
  }
  return code;
}
