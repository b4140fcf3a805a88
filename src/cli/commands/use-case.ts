/** `riskops use-case new`: scaffold a use case from a labeled data file, and say what to review. */
import { RiskopsError } from '../../platform/errors/index.js';
import {
  DEFAULT_SAMPLE_ROWS,
  observed,
  type PlannedColumn,
  pct,
  type ScaffoldResult,
  scaffoldUseCase,
} from '../../platform/scaffold/index.js';
import { parseCommandArgs } from '../args.js';

const USAGE = `usage: riskops use-case new <name> --from data.csv --label <column> [options]

Reads the file once (streaming), infers each column's type (number, integer, yes/no, category, ISO date,
text), missing rates and ranges, and writes src/use_cases/<name>/schema.ts, features.ts and index.ts,
a seeded sample of the rows as sample.csv (it trains the shipped model), and the line in
src/use_cases/index.ts. Prints what it inferred and what to review.

  --from FILE         labeled CSV with a header row
  --label COLUMN      the outcome column: exactly two values (Yes/No, 1/0, true/false, …)
  --positive VALUE    the label value that is the outcome to predict (default: Yes, 1 or true)
  --id COLUMN         the entity id column (default: a hash of the record's fields)
  --sample-rows N     rows of the committed sample.csv (default ${DEFAULT_SAMPLE_ROWS}; 0: none, train with --data)
  --max-rows N        read at most N rows to infer types (default 1000000)
  --root DIR          project root (default: the working directory)
  --force             overwrite an existing src/use_cases/<name>
`;

const OPTIONS = {
  from: { type: 'string' },
  label: { type: 'string' },
  positive: { type: 'string' },
  id: { type: 'string' },
  'sample-rows': { type: 'string' },
  'max-rows': { type: 'string' },
  root: { type: 'string' },
  force: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function count(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new RiskopsError('invalid_input', `--${name} must be an integer ≥ ${min}`);
  return n;
}

const ROLE: Record<PlannedColumn['role'], string> = {
  feature: 'feature',
  id: 'entity id',
  reference_date: 'reference date',
  sensitive: 'sensitive (not a feature)',
  pii: 'personal (not a feature)',
  text: 'text (not a feature)',
  constant: 'constant (not a feature)',
};

function role(column: PlannedColumn): string {
  if (column.role !== 'feature') return ROLE[column.role];
  if (column.kind === 'date') return 'feature: days to the reference date';
  const parts = ['feature'];
  if (column.log1p) parts.push('log1p');
  if (column.missingRate > 0) parts.push('missing indicator');
  return parts.join(', ');
}

function report(result: ScaffoldResult): string {
  const { plan } = result;
  const rows = plan.columns.map((c) => [
    c.name,
    c.kind,
    c.missingRate > 0 ? pct(c.missingRate) : '',
    observed(c),
    role(c),
  ]);
  const header = ['column', 'type', 'missing', 'in the file', 'role'];
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, j) => c.padEnd(widths[j] ?? 0)).join('  ')}`.trimEnd();
  return [
    `${plan.name}: ${plan.rows} rows of ${plan.source}; label ${plan.label.field} = ${plan.label.positive} in ${pct(plan.label.rate)}; entity id ${plan.entityIdField}${plan.rowHash ? ' (row hash)' : ''}`,
    line(header),
    ...rows.map(line),
    '',
    'wrote:',
    ...result.files.map((f) => `  ${f}`),
    ...(result.formatted ? [] : ['  (not formatted: run `npm run format`)']),
    '',
    'review:',
    ...result.notes.map((n) => `  - ${n}`),
    '',
    'next:',
    '  npm run build',
    `  npm run riskops -- train ${plan.name}${result.dataFile === undefined ? ' --data <file.csv>' : ''}`,
    '  npm start',
    '',
  ].join('\n');
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [action, name, ...extra] = positionals;
  if (action !== 'new' || name === undefined || extra.length > 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (values.from === undefined || values.label === undefined) {
    process.stderr.write(`--from and --label are required\n\n${USAGE}`);
    return 2;
  }
  const sampleRows = count(values['sample-rows'], 'sample-rows', 0);
  const maxRows = count(values['max-rows'], 'max-rows', 1);
  const result = await scaffoldUseCase({
    root: values.root ?? process.cwd(),
    name,
    from: values.from,
    label: values.label,
    positive: values.positive,
    id: values.id,
    force: values.force,
    ...(sampleRows === undefined ? {} : { sampleRows }),
    ...(maxRows === undefined ? {} : { maxRows }),
  });
  process.stdout.write(report(result));
  return 0;
}
