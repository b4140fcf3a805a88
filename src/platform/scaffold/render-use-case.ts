/** Writes a scaffolded use case's features.ts and index.ts. */
import type { PlannedColumn, ScaffoldPlan } from './plan.js';
import { access, docComment, levelsConstant, num, pct, str } from './render-code.js';

function featureOf(column: PlannedColumn, plan: ScaffoldPlan, used: Set<string>): string[] {
  const get = `get: (r) => ${access('r', column.name)},`;
  const missing = column.missingRate > 0 ? [`missingIndicator: true,`] : [];
  switch (column.kind) {
    case 'number':
    case 'integer': {
      const skew = column.log1p
        ? ` (log1p: skewed, skewness ${num(Number(column.profile.skewness.toFixed(2)))})`
        : '';
      const missingNote = column.missingRate > 0 ? `; ${pct(column.missingRate)} missing in the file` : '';
      return [
        `kind: 'numeric',`,
        `name: ${str(column.key)},`,
        `description: ${str(`${column.name}${skew}${missingNote}`)},`,
        get,
        ...(column.log1p ? [`transform: 'log1p',`] : []),
        ...missing,
      ];
    }
    case 'boolean':
      return [`kind: 'boolean',`, `name: ${str(column.key)},`, `description: ${str(column.name)},`, get];
    case 'category':
      used.add(levelsConstant(column));
      return [
        `kind: 'categorical',`,
        `name: ${str(column.key)},`,
        `description: ${str(`${column.name} (${column.levels?.length} levels)`)},`,
        get,
        `categories: ${levelsConstant(column)},`,
      ];
    default: {
      used.add('daysFrom');
      const optional = column.missingRate > 0 || plan.addedAsOf;
      return [
        `kind: 'numeric',`,
        `name: ${str(`days_since_${column.key}`)},`,
        `description: ${str(`Days from ${column.name} to ${plan.referenceDate}`)},`,
        `get: (r) => daysFrom(${access('r', column.name)}, ${access('r', plan.referenceDate)}),`,
        ...(optional ? [`missingIndicator: true,`] : []),
      ];
    }
  }
}

export function renderFeatures(plan: ScaffoldPlan): string {
  const used = new Set<string>();
  const inputs = plan.columns
    .filter((c) => c.role === 'feature')
    .map(
      (c) =>
        `  {\n${featureOf(c, plan, used)
          .map((line) => `    ${line}`)
          .join('\n')}\n  },`,
    );
  const reasons: Record<string, string> = {
    id: 'the entity id',
    reference_date: 'the reference date',
    sensitive: 'a protected attribute',
    pii: 'personal data',
    text: 'free text',
    constant: 'a constant',
  };
  const left = plan.columns.filter((c) => c.role !== 'feature').map((c) => `${c.name} (${reasons[c.role]})`);
  const schemaImports = [...used].filter((n) => n !== 'daysFrom').sort();
  schemaImports.push(`type ${plan.pascal}Record`);
  const doc =
    left.length === 0
      ? 'Every column of the file but the label is a feature.'
      : `Left out of the features: ${left.join(', ')}.`;
  return `import { createFeaturePipeline } from '../../platform/features/index.js';
${used.has('daysFrom') ? "import { daysFrom } from '../schema-kit.js';\n" : ''}import { ${schemaImports.join(', ')} } from './schema.js';

${docComment(doc)}
export const ${plan.camel}Features = createFeaturePipeline<${plan.pascal}Record>([
${inputs.join('\n')}
]);
`;
}

export function renderIndex(plan: ScaffoldPlan, dataFile: string | undefined): string {
  const { label, bands } = plan;
  const labelDescription = label.text
    ? `1 when ${label.field} is '${label.positive}'`
    : `1 when ${label.field} is 1`;
  const values = label.text
    ? `\n    values: { positive: ${str(label.positive)}, negative: ${str(label.negative)} },`
    : '';
  const sensitive = plan.sensitive === undefined ? '' : `\n    sensitiveAttribute: ${str(plan.sensitive)},`;
  const fairness = plan.sensitive === undefined ? '' : '\n      minFavourableRatio: 0.8,';
  const data =
    dataFile === undefined
      ? `    // No data file is committed: train with \`riskops train ${plan.name} --data file.csv\`.\n`
      : `    dataFile: ${str(dataFile)},\n`;
  return `import type { UseCase } from '../../platform/use-case/index.js';
import { ${plan.camel}Features } from './features.js';
import { ${plan.pascal}Schema } from './schema.js';

export { type ${plan.pascal}Record, ${plan.pascal}Schema } from './schema.js';

${docComment(`Scaffolded by \`riskops use-case new\` from ${plan.source} (${plan.rows} rows, ${pct(label.rate)} ${label.field} = ${label.positive}). Review the TODOs, then \`riskops train ${plan.name}\`.`)}
export const ${plan.camel}: UseCase<typeof ${plan.pascal}Schema> = {
  name: ${str(plan.name)},
  title: ${str(plan.title)},
  // TODO: one sentence on the decision this score supports.
  description: ${str(`Probability that ${label.field} is ${label.positive}, learned from ${plan.source}.`)},
  schema: ${plan.pascal}Schema,
  entityIdField: ${str(plan.entityIdField)},
  piiFields: [${plan.pii.map(str).join(', ')}],
  features: ${plan.camel}Features,
  // From the base rate in the file (${num(label.rate)}): below it no action, up to about twice it a review.
  // TODO: set the cut-offs from the cost of a missed case and of a wasted action, and name the actions.
  bands: [
    { name: 'low', upTo: ${num(bands.low)}, action: 'no_action' },
    { name: 'review', upTo: ${num(bands.review)}, action: 'review' },
    { name: 'high', upTo: 1.0000001, action: 'act' },
  ],
  label: {
    field: ${str(label.field)},
    description: ${str(labelDescription)},${values}
    // TODO: days after ${plan.referenceDate} until the outcome is known; younger rows are not labels yet.
    maturityDays: 90,
    maturityFrom: ${str(plan.referenceDate)},
  },
  drift: { watch: 0.1, act: 0.2, persistence: { k: 2, n: 3 }, cooldownHours: 72, minRows: 500 },
  training: {
    algorithm: 'gbdt',
    seed: ${plan.seed},
${data}    validationFraction: 0.15,
    holdoutFraction: 0.15,
    gbdt: {
      nEstimators: 300,
      learningRate: 0.05,
      maxDepth: 3,
      maxLeaves: 15,
      minChildWeight: 5,
      l2: 1,
      rowSubsample: 0.8,
      colSubsample: 0.8,
      maxBins: 64,
      earlyStoppingRounds: 30,
    },
    logistic: { l2: 0.01, maxIterations: 100, tolerance: 1e-6 },
    // maxBrier ${num(plan.maxBrier)} is the Brier score of always predicting the base rate: the model must beat it.
    gate: {
      minAuc: 0.7,
      maxBrier: ${num(plan.maxBrier)},
      maxEce: 0.05,
      maxAucDropVsChampion: 0.01,${fairness}
    },
    segmentAttribute: ${str(plan.segment)},${sensitive}
    gateOnFairness: false,
  },
};
`;
}
