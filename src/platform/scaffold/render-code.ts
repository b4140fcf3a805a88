/** Code generation helpers: literals and property access that read like the hand-written use cases. */
import type { PlannedColumn } from './plan.js';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A single-quoted string literal. */
export function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** An object key: bare when it is an identifier. */
export function key(name: string): string {
  return IDENTIFIER.test(name) ? name : str(name);
}

/** `r.name`, or `r['Odd name']`. */
export function access(record: string, name: string): string {
  return IDENTIFIER.test(name) ? `${record}.${name}` : `${record}[${str(name)}]`;
}

/** The constant holding a category's levels. */
export function levelsConstant(column: PlannedColumn): string {
  return `${column.key.toUpperCase()}_VALUES`;
}

/** A number as a short literal (6 significant digits for the comments). */
export function num(x: number): string {
  return String(Number(x.toPrecision(6)));
}

export function pct(x: number): string {
  const p = x * 100;
  return `${p < 10 ? p.toFixed(1) : p.toFixed(0)}%`;
}

/** What the file holds in a column, for comments and the printed summary. */
export function observed(column: PlannedColumn): string {
  const p = column.profile;
  switch (column.kind) {
    case 'number':
    case 'integer':
      return `${num(p.min)} – ${num(p.max)}`;
    case 'date':
      return `${p.minDate} – ${p.maxDate}`;
    case 'boolean':
      return column.words === undefined ? 'true/false' : `${column.words.yes}/${column.words.no}`;
    case 'category':
      return `${column.levels?.length} levels`;
    default:
      return `text up to ${p.longest} characters${p.overflow ? ', many distinct values' : `, ${p.values.size} distinct`}`;
  }
}

/** `/** … *\/` wrapped at ~100 columns with the given indent. */
export function docComment(text: string, indent = ''): string {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && indent.length + 3 + line.length + word.length + 1 > 108) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  if (lines.length === 1 && indent.length + (lines[0]?.length ?? 0) + 7 <= 110)
    return `${indent}/** ${lines[0]} */`;
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`), `${indent} */`].join('\n');
}
