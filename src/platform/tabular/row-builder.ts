import { type ColumnKind, convertCell } from './fields.js';

/** A row of converted cells, or the index of the first cell its column kind refuses. */
export type BuiltRow = Record<string, unknown> | number;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A plain decimal: an optional sign, digits with at most one point, at least one digit. Every such cell matches
 * `NUMBER` as it is (nothing to trim), so it skips the trim and the regex: the common case in data files.
 */
function plainDecimal(cell: string): boolean {
  const first = cell.charCodeAt(0);
  let i = first === 43 || first === 45 ? 1 : 0; // + or -
  let digits = 0;
  let point = false;
  for (; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && !point) point = true;
    else return false;
  }
  return digits > 0;
}

/** `convertCell(cell, 'number')` for a non-empty cell, `undefined` for a refusal. */
function toNumber(cell: string): number | undefined {
  if (plainDecimal(cell)) return Number(cell);
  const text = cell.trim();
  return NUMBER.test(text) ? Number(text) : undefined;
}

/** `convertCell(cell, 'boolean')` for a non-empty cell, `undefined` for a refusal. */
function toBoolean(cell: string): boolean | undefined {
  const text = cell.trim().toLowerCase();
  return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : undefined;
}

/** `convertCell(cell, 'label')` for a non-empty cell (never refuses: bad text stays text). */
function toLabel(cell: string): unknown {
  const text = cell.trim().toLowerCase();
  return text === 'true' || text === '1' ? 1 : text === 'false' || text === '0' ? 0 : cell;
}

/** The same conversion one cell at a time (header names this module will not put in generated code). */
function genericBuilder(
  header: readonly string[],
  kinds: readonly ColumnKind[],
): (cells: string[]) => BuiltRow {
  return (cells) => {
    const row: Record<string, unknown> = {};
    for (let j = 0; j < cells.length; j++) {
      const converted = convertCell(cells[j] as string, kinds[j] as ColumnKind);
      if ('error' in converted) return j;
      if (converted.value !== undefined) row[header[j] as string] = converted.value;
    }
    return row;
  };
}

/**
 * Builds rows of one CSV header: each cell converted by its column's kind (as `convertCell` does), empty
 * cells left out. The builder is generated per header with the column names as string literals, so
 * millions of rows share one object shape instead of megamorphic keyed stores. Cells must number as many
 * as the header's columns.
 */
export function rowBuilder(
  header: readonly string[],
  kinds: readonly ColumnKind[],
): (cells: string[]) => BuiltRow {
  if (header.some((name) => name === '__proto__')) return genericBuilder(header, kinds);
  const lines = ['return function buildRow(cells) {', 'const row = {};', 'let c;', 'let v;'];
  header.forEach((name, j) => {
    const key = JSON.stringify(name);
    lines.push(`c = cells[${j}];`);
    switch (kinds[j]) {
      case 'number':
        lines.push(`if (c !== '') { v = toNumber(c); if (v === undefined) return ${j}; row[${key}] = v; }`);
        break;
      case 'boolean':
        lines.push(`if (c !== '') { v = toBoolean(c); if (v === undefined) return ${j}; row[${key}] = v; }`);
        break;
      case 'label':
        lines.push(`if (c !== '') row[${key}] = toLabel(c);`);
        break;
      default:
        lines.push(`if (c !== '') row[${key}] = c;`);
    }
  });
  lines.push('return row;', '};');
  // Column names enter the generated source only as JSON string literals.
  return new Function('toNumber', 'toBoolean', 'toLabel', lines.join('\n'))(toNumber, toBoolean, toLabel);
}

/** Why `convertCell` refuses a cell of this kind (the reason a refused cell's reject carries). */
export function refusal(cell: string, kind: ColumnKind): string {
  const converted = convertCell(cell, kind);
  return 'error' in converted ? converted.error : 'unreadable cell';
}
