import type { AnyUseCase } from '../use-case/index.js';

/** How a CSV cell of a schema field is converted: from the zod type under optional/nullable wrappers. */
export type FieldKind = 'number' | 'boolean' | 'string';

/** A column's conversion: a schema kind, or `label` (0/1 from true/false/1/0; other text kept for validation). */
export type ColumnKind = FieldKind | 'label';

interface ZodLike {
  _zod?: { def?: { type?: string; innerType?: unknown } };
}

function kindOf(field: unknown): FieldKind {
  let node = field as ZodLike | undefined;
  for (let depth = 0; depth < 10 && node?._zod?.def !== undefined; depth++) {
    const { type, innerType } = node._zod.def;
    if (type === 'number' || type === 'int') return 'number';
    if (type === 'boolean') return 'boolean';
    if (innerType === undefined) return 'string';
    node = innerType as ZodLike;
  }
  return 'string';
}

/** The top-level fields of a use case's object schema (empty when the schema is not an object). */
export function schemaFields(useCase: AnyUseCase): { name: string; kind: FieldKind; required: boolean }[] {
  const shape = (useCase.schema as unknown as { shape?: Record<string, { safeParse(v: unknown): unknown }> })
    .shape;
  if (shape === undefined) return [];
  return Object.entries(shape).map(([name, field]) => ({
    name,
    kind: kindOf(field),
    required: !(field.safeParse(undefined) as { success: boolean }).success,
  }));
}

/** Column kinds of a use case's CSV files: its schema fields, and its label when `label` is set. */
export function columnKinds(useCase: AnyUseCase, options: { label?: boolean } = {}): Map<string, ColumnKind> {
  const kinds = new Map<string, ColumnKind>(schemaFields(useCase).map((f) => [f.name, f.kind]));
  if (options.label === true) kinds.set(useCase.label.field, 'label');
  return kinds;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['true', '1']);
const FALSE = new Set(['false', '0']);

export type CellResult = { value: unknown } | { error: string };

const EMPTY: CellResult = { value: undefined };

/** Converts one CSV cell by its column's kind; `undefined` leaves the field out (an empty cell). */
export function convertCell(cell: string, kind: ColumnKind): CellResult {
  if (cell === '') return EMPTY;
  switch (kind) {
    case 'number': {
      const text = cell.trim();
      return NUMBER.test(text) ? { value: Number(text) } : { error: 'expected a number' };
    }
    case 'boolean':
    case 'label': {
      const text = cell.trim().toLowerCase();
      if (TRUE.has(text)) return { value: kind === 'label' ? 1 : true };
      if (FALSE.has(text)) return { value: kind === 'label' ? 0 : false };
      // A bad label stays text, so validation rejects it with the label's own reason.
      return kind === 'label' ? { value: cell } : { error: 'expected true/false or 1/0' };
    }
    default:
      return { value: cell };
  }
}
