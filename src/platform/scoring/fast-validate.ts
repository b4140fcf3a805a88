/**
 * A fast acceptance path compiled from a use case's zod object schema. It runs zod's own check functions
 * (lengths, formats, bounds, `.int()`, refinements) on each field and the object, but skips zod's issue and
 * path machinery, which dominates the cost of validating millions of well-formed rows. It only ever
 * *accepts*: a row it does not accept goes to `schema.safeParse`, so every reject and its reasons stay
 * zod's. An accepted row's value is built as zod builds it (shape order, unknown keys stripped, a present
 * optional key kept as `undefined`). Schemas using anything it does not know (transforms, defaults,
 * preprocess, pipes, catchall, coercion, async checks) do not compile, and zod validates every row.
 */

/** A zod check or schema instance, as far as this module reads it. */
interface ZodInternals {
  _zod: {
    def: {
      type?: string;
      checks?: ZodInternals[];
      innerType?: ZodInternals;
      shape?: Record<string, ZodInternals>;
      catchall?: unknown;
      coerce?: boolean;
      entries?: Record<string, unknown>;
      when?: (payload: Payload) => boolean;
    };
    traits: Set<string>;
    check?: (payload: Payload) => unknown;
    optin?: string;
    optout?: string;
  };
}

interface Payload {
  value: unknown;
  issues: unknown[];
}

type Check = (payload: Payload) => unknown;

interface FieldPlan {
  key: string;
  /** `.optional()` somewhere in the wrappers: an absent key is skipped, a present `undefined` kept. */
  optional: boolean;
  nullable: boolean;
  base: 'string' | 'number' | 'boolean' | 'enum';
  values?: ReadonlySet<unknown>;
  checks: { check: Check; when?: ((payload: Payload) => boolean) | undefined }[];
}

/** Accepts a record exactly as zod would and returns zod's parsed value, or `undefined` when unsure. */
export type FastValidator = (input: unknown) => Record<string, unknown> | undefined;

/** The checks zod runs on a schema after its type check: itself when it is a check (a string format), then its own. */
function checksOf(node: ZodInternals): FieldPlan['checks'] | undefined {
  const list = node._zod.traits.has('$ZodCheck')
    ? [node, ...(node._zod.def.checks ?? [])]
    : [...(node._zod.def.checks ?? [])];
  const out: FieldPlan['checks'] = [];
  for (const ch of list) {
    const check = ch._zod.check;
    if (typeof check !== 'function') return undefined;
    out.push({ check: check as Check, when: ch._zod.def.when });
  }
  return out;
}

function planField(key: string, field: ZodInternals): FieldPlan | undefined {
  let node = field;
  let optional = false;
  let nullable = false;
  for (let depth = 0; depth < 8; depth++) {
    const def = node._zod.def;
    if (def.type === 'optional' && def.innerType !== undefined && (def.checks ?? []).length === 0) {
      if (def.innerType._zod.optin === 'defaulted') return undefined;
      optional = true;
      node = def.innerType;
    } else if (def.type === 'nullable' && def.innerType !== undefined && (def.checks ?? []).length === 0) {
      nullable = true;
      node = def.innerType;
    } else break;
  }
  const def = node._zod.def;
  if (def.coerce === true) return undefined;
  const checks = checksOf(node);
  if (checks === undefined) return undefined;
  switch (def.type) {
    case 'string':
    case 'number':
    case 'boolean':
      return { key, optional, nullable, base: def.type, checks };
    case 'enum':
      if (def.entries === undefined || checks.length > 0) return undefined;
      return { key, optional, nullable, base: 'enum', values: new Set(Object.values(def.entries)), checks };
    default:
      return undefined;
  }
}

/** Runs checks as zod's `runChecks` does when nothing has failed yet; false at the first issue. */
function passes(checks: FieldPlan['checks'], payload: Payload): boolean {
  if (payload.issues.length > 0) payload.issues.length = 0;
  for (const { check, when } of checks) {
    if (when !== undefined && !when(payload)) continue;
    const result = check(payload);
    if (result instanceof Promise) {
      result.catch(() => undefined);
      return false;
    }
    if (payload.issues.length > 0) return false;
  }
  return true;
}

const compiled = new WeakMap<object, FastValidator | null>();

/**
 * The fast path for `schema`, or `undefined` when the schema uses something it does not mirror (then every
 * row goes through zod). Cached per schema.
 */
export function fastValidator(schema: unknown): FastValidator | undefined {
  const key = schema as object;
  const cached = compiled.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const made = compile(schema as ZodInternals);
  compiled.set(key, made ?? null);
  return made;
}

/** One field's statements in the generated function: literal property names keep every access monomorphic. */
function fieldSource(plan: FieldPlan, i: number): string {
  const k = JSON.stringify(plan.key);
  const v = `v${i}`;
  const type =
    plan.base === 'enum'
      ? `!values${i}.has(${v})`
      : plan.base === 'number'
        ? `typeof ${v} !== 'number' || !Number.isFinite(${v})`
        : `typeof ${v} !== '${plan.base}'`;
  const lines = [`const ${v} = input[${k}];`];
  if (plan.optional) lines.push(`if (${v} === undefined) { if (${k} in input) out[${k}] = undefined; } else`);
  else lines.push(`if (${v} === undefined) return undefined; else`);
  if (plan.nullable) lines.push(`if (${v} === null) out[${k}] = null; else`);
  lines.push('{', `if (${type}) return undefined;`);
  if (plan.checks.length > 0)
    lines.push(`payload.value = ${v};`, `if (!passes(checks${i}, payload)) return undefined;`);
  lines.push(`out[${k}] = ${v};`, '}');
  return lines.join('\n');
}

function compile(schema: ZodInternals): FastValidator | undefined {
  const def = schema?._zod?.def;
  if (def?.type !== 'object' || def.shape === undefined || def.catchall !== undefined) return undefined;
  const fields: FieldPlan[] = [];
  for (const [key, field] of Object.entries(def.shape)) {
    if (key === '__proto__') return undefined;
    const plan = planField(key, field);
    if (plan === undefined) return undefined;
    fields.push(plan);
  }
  const objectChecks = checksOf(schema);
  if (objectChecks === undefined) return undefined;
  const payload: Payload = { value: undefined, issues: [] };
  const names = ['payload', 'passes', 'objectChecks'];
  const args: unknown[] = [payload, passes, objectChecks];
  fields.forEach((plan, i) => {
    names.push(`checks${i}`, `values${i}`);
    args.push(plan.checks, plan.values);
  });
  const body = [
    'return function fastAccept(input) {',
    "if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;",
    'const out = {};',
    ...fields.map(fieldSource),
    objectChecks.length === 0
      ? 'return out;'
      : 'payload.value = out; return passes(objectChecks, payload) ? payload.value : undefined;',
    '};',
  ].join('\n');
  // The generated code only reads the schema's own keys (as JSON string literals) and calls zod's checks.
  const accept = new Function(...names, body)(...args) as (
    input: unknown,
  ) => Record<string, unknown> | undefined;
  return (input) => {
    try {
      const accepted = accept(input);
      payload.value = undefined;
      return accepted;
    } catch {
      payload.value = undefined;
      return undefined; // zod will say what went wrong (or throw it)
    }
  };
}
