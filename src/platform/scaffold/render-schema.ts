/** Writes a scaffolded use case's schema.ts: the zod schema of one record of the source file. */
import type { PlannedColumn, ScaffoldPlan } from './plan.js';
import { niceCeil } from './plan.js';
import { docComment, key, levelsConstant, num, observed, pct, str } from './render-code.js';

function niceCeilLength(longest: number): number {
  return Math.max(64, niceCeil(longest * 4));
}

function zodOf(column: PlannedColumn, used: Set<string>): string {
  const optional = column.missingRate > 0 && column.role !== 'id';
  const req = optional ? '' : 'REQUIRED';
  if (!optional) used.add('REQUIRED');
  const tail = optional ? '.nullish()' : '';
  switch (column.kind) {
    case 'number':
    case 'integer':
      return `z.number(${req})${column.kind === 'integer' ? '.int()' : ''}.min(${num(column.lower ?? 0)}).max(${num(column.upper ?? 0)})${tail}`;
    case 'boolean':
      if (column.words === undefined) return `z.boolean(${req})${tail}`;
      used.add('booleanText');
      return `booleanText(${str(column.words.yes)}, ${str(column.words.no)})${tail}`;
    case 'category':
      return `z.enum(${levelsConstant(column)}${req === '' ? '' : `, ${req}`})${tail}`;
    case 'date':
      return `z.iso.date(${req})${tail}`;
    default:
      return `z.string(${req}).min(1).max(${niceCeilLength(column.profile.longest)})${tail}`;
  }
}

function fieldDoc(column: PlannedColumn, plan: ScaffoldPlan): string {
  const parts = [`${observed(column)} in the file`];
  if (column.missingRate > 0) parts.push(`${pct(column.missingRate)} missing`);
  if (column.kind === 'category') parts.push(`one of ${levelsConstant(column)}`);
  const role: Record<string, string> = {
    id: 'the entity id',
    reference_date: 'the date the record describes: label maturity counts from it',
    sensitive: `a protected attribute: never a feature${plan.sensitive === column.name ? ', used for the four-fifths check' : ''}`,
    pii: 'personal data: keyed-hashed in the audit trail, not a feature',
    text: 'free text or an identifier: not a feature',
    constant: 'one value throughout the file: not a feature',
  };
  const extra = role[column.role];
  return `${parts.join('; ')}${extra === undefined ? '' : `. ${extra.replace(/^./, (c) => c.toUpperCase())}`}.`;
}

export function renderSchema(plan: ScaffoldPlan): string {
  const used = new Set<string>();
  const fields: string[] = [];
  if (plan.rowHash) {
    used.add('withRowHash');
    fields.push(
      docComment(
        `Entity id. The file has no id column: absent, it is the row hash of the other fields (see withRowHash).`,
        '  ',
      ),
      `  ${key(plan.entityIdField)}: z.string().min(1).max(64).optional(),`,
    );
  }
  for (const column of plan.columns) {
    fields.push(docComment(fieldDoc(column, plan), '  '), `  ${key(column.name)}: ${zodOf(column, used)},`);
  }
  if (plan.addedAsOf)
    fields.push(
      docComment('Not in the file: the date the record describes, which label maturity counts from.', '  '),
      `  as_of: z.iso.date().optional(),`,
    );
  const constants = plan.columns
    .filter((c) => c.kind === 'category')
    .flatMap((c) => [
      docComment(`Values of ${c.name} in ${plan.source}, most frequent first: another value is refused.`),
      `export const ${levelsConstant(c)} = [${(c.levels ?? []).map(str).join(', ')}] as const;`,
    ]);
  const kit = ['booleanText', 'REQUIRED', 'withRowHash'].filter((n) => used.has(n));
  const object = `z.object({\n${fields.join('\n')}\n})`;
  const schema = plan.rowHash
    ? `withRowHash(\n  ${object.replace(/\n/g, '\n  ')},\n  ${str(plan.entityIdField)},\n)`
    : object;
  return `import { z } from 'zod';
${kit.length === 0 ? '' : `import { ${kit.join(', ')} } from '../schema-kit.js';\n`}
${constants.join('\n')}${constants.length === 0 ? '' : '\n\n'}${docComment(
  `One record of ${plan.source}, as scaffolded by \`riskops use-case new\` (review it). Unknown keys, such as the label column ${plan.label.field}, are dropped. Number limits: the sign and integer-ness seen in the file are enforced, and magnitudes may grow to ten times the file's range (rounded up), so tomorrow's somewhat larger value still scores while a unit slip or a corrupt value is refused; tighten them where the business knows the real bounds.`,
)}
export const ${plan.pascal}Schema = ${schema};

export type ${plan.pascal}Record = z.infer<typeof ${plan.pascal}Schema>;
`;
}
