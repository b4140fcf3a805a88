/**
 * `riskops use-case new`: profile a labeled data file, plan the use case, and write
 * src/use_cases/<name>/{schema,features,index}.ts (plus a committed sample of the data that trains the shipped
 * model) and its line in src/use_cases/index.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { RiskopsError } from '../errors/index.js';
import { dataFormatOf } from '../training/index.js';
import { planUseCase, type ScaffoldPlan } from './plan.js';
import { type FileProfile, profileRows } from './profile.js';
import { readHeader, readTextRows, writeTextRows } from './read.js';
import { pct } from './render-code.js';
import { renderSchema } from './render-schema.js';
import { renderFeatures, renderIndex } from './render-use-case.js';
import { addToIndex } from './use-case-index.js';

export interface ScaffoldOptions {
  /** Project root: the folder holding src/use_cases. */
  root: string;
  name: string;
  /** The labeled data file (CSV). */
  from: string;
  label: string;
  positive?: string | undefined;
  id?: string | undefined;
  /** Overwrite an existing src/use_cases/<name>. */
  force?: boolean;
  /** Rows of the seeded sample committed as sample.csv (0: none). Default 5000. */
  sampleRows?: number;
  /** Rows read at most (the rest of a huge file is not needed to infer types). Default 1 000 000. */
  maxRows?: number;
  /** Run the project's Biome on the written files (default true; skipped when Biome is not installed). */
  format?: boolean;
}

export interface ScaffoldResult {
  plan: ScaffoldPlan;
  profile: FileProfile;
  /** Written files, relative to the root. */
  files: string[];
  /** The committed sample (relative to the root), when one was written. */
  dataFile?: string;
  /** Things to look at before training, in the order they matter. */
  notes: string[];
  formatted: boolean;
}

export const DEFAULT_SAMPLE_ROWS = 5000;
const MIN_TRAINING_ROWS = 1000;

function collectNotes(plan: ScaffoldPlan, profile: FileProfile, dataFile: string | undefined): string[] {
  const notes: string[] = [];
  for (const d of plan.dropped) notes.push(`dropped column ${d.name}: ${d.reason}`);
  if (profile.unreadable.count > 0)
    notes.push(
      `${profile.unreadable.count} lines could not be read and were left out (${profile.unreadable.first.map((u) => `line ${u.line}: ${u.error}`).join('; ')})`,
    );
  if (profile.truncated) notes.push(`read the first ${profile.rows} rows only (--max-rows)`);
  if (plan.label.missing > 0)
    notes.push(`${plan.label.missing} rows have no ${plan.label.field}: training rejects them`);
  notes.push(...plan.notes);
  if (plan.sensitive !== undefined) {
    const others = plan.columns
      .filter((c) => c.role === 'sensitive' && c.name !== plan.sensitive)
      .map((c) => c.name);
    notes.push(
      `${plan.sensitive} looks like a protected attribute: it is not a feature and gets the four-fifths check (reported, gateOnFairness false)${others.length > 0 ? `; ${others.join(', ')} also left out of the features` : ''}`,
    );
  }
  if (plan.pii.length > 0)
    notes.push(`personal data: ${plan.pii.join(', ')} (piiFields, not features) — check for others`);
  for (const c of plan.columns.filter((c) => c.role === 'text' || c.role === 'constant'))
    notes.push(
      `${c.name}: ${c.role === 'text' ? 'free text or an identifier' : 'a single value'}, kept in the schema but not a feature`,
    );
  const categories = plan.columns.filter((c) => c.kind === 'category').map((c) => c.name);
  if (categories.length > 0)
    notes.push(
      `categories (${categories.join(', ')}): a value outside the levels seen in the file is refused at scoring — add any that exist (the *_VALUES constants in schema.ts)`,
    );
  notes.push(
    `label ${plan.label.field}: '${plan.label.positive}' is the positive outcome (${pct(plan.label.rate)} of rows); bands low < ${plan.bands.low} ≤ review < ${plan.bands.review} ≤ high`,
    `TODO label maturity: days after ${plan.referenceDate} until ${plan.label.field} is known (maturityDays is 90 for now)`,
    `segment attribute for per-segment metrics: ${plan.segment}`,
  );
  if (dataFile !== undefined)
    notes.push(
      `${dataFile} is a seeded sample of ${plan.source} committed with the code: it trains the shipped model reproducibly. If it holds personal data that may not be in the repository, replace it with an anonymised extract (or re-run with --sample-rows 0 and train with --data)`,
    );
  const trainingRows = dataFile === undefined ? plan.rows : Math.min(plan.rows, DEFAULT_SAMPLE_ROWS);
  if (trainingRows < MIN_TRAINING_ROWS)
    notes.push(`only ${trainingRows} rows: training needs at least ${MIN_TRAINING_ROWS} valid rows`);
  return notes;
}

function runBiome(root: string, paths: string[]): boolean {
  const biome = join(root, 'node_modules', '.bin', 'biome');
  if (!existsSync(biome)) return false;
  const result = spawnSync(biome, ['check', '--write', ...paths], { cwd: root, encoding: 'utf8' });
  return result.status === 0;
}

/**
 * Scaffolds the use case.
 * @throws RiskopsError `conflict` when src/use_cases/<name> exists (without `force`); `data_contract` for an
 *   empty file, no header, no label column, a label without exactly two values, or no usable column;
 *   `invalid_input` for bad options.
 */
export async function scaffoldUseCase(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const useCasesDir = join(options.root, 'src', 'use_cases');
  const indexFile = join(useCasesDir, 'index.ts');
  if (!existsSync(indexFile))
    throw new RiskopsError(
      'invalid_input',
      `${options.root} is not a riskops project: no src/use_cases/index.ts`,
    );
  if (!existsSync(options.from))
    throw new RiskopsError('invalid_input', `--from ${options.from}: no such file`);
  if (dataFormatOf(options.from) !== 'csv')
    throw new RiskopsError('invalid_input', `--from ${options.from}: use case scaffolding reads CSV files`);
  const dir = join(useCasesDir, options.name);
  if (existsSync(dir) && options.force !== true)
    throw new RiskopsError(
      'conflict',
      `src/use_cases/${options.name} already exists: choose another name, or pass --force to overwrite its files`,
    );

  const header = await readHeader(options.from);
  if (!header.includes(options.label))
    throw new RiskopsError(
      'data_contract',
      `${options.from}: no label column ${options.label}; the columns are ${header.join(', ')}`,
    );
  const sampleRows = options.sampleRows ?? DEFAULT_SAMPLE_ROWS;
  const source = basename(options.from);
  const profile = await profileRows(readTextRows(options.from, options.label), {
    header,
    sampleRows: Math.max(sampleRows, 1),
    seed: 20260101,
    maxRows: options.maxRows ?? 1_000_000,
  });
  if (profile.rows === 0 && profile.unreadable.count > 0)
    throw new RiskopsError(
      'data_contract',
      `${options.from}: no line could be read as a row (${profile.unreadable.first.map((u) => `line ${u.line}: ${u.error}`).join('; ')})`,
    );
  const plan = planUseCase(profile, {
    name: options.name,
    source,
    label: options.label,
    positive: options.positive,
    id: options.id,
  });

  await mkdir(dir, { recursive: true });
  const rel = (path: string): string => relative(options.root, path).split('\\').join('/');
  let dataFile: string | undefined;
  const files: string[] = [];
  if (sampleRows > 0) {
    const samplePath = join(dir, 'sample.csv');
    await writeTextRows(samplePath, header, profile.sample);
    dataFile = rel(samplePath);
    files.push(dataFile);
  }
  const outputs: [string, string][] = [
    ['schema.ts', renderSchema(plan)],
    ['features.ts', renderFeatures(plan)],
    ['index.ts', renderIndex(plan, dataFile)],
  ];
  for (const [file, text] of outputs) {
    await writeFile(join(dir, file), text);
    files.push(rel(join(dir, file)));
  }
  const indexText = await readFile(indexFile, 'utf8');
  const updated = addToIndex(indexText, plan.name, plan.camel);
  if (updated !== indexText) {
    await writeFile(indexFile, updated);
    files.push(rel(indexFile));
  }
  const formatted =
    options.format !== false && runBiome(options.root, [...outputs.map(([f]) => join(dir, f)), indexFile]);
  return {
    plan,
    profile,
    files,
    ...(dataFile === undefined ? {} : { dataFile }),
    notes: collectNotes(plan, profile, dataFile),
    formatted,
  };
}
