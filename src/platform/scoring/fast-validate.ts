/**
 * A fast acceptance path compiled from a use case's zod object schema. It runs zod's own check functions
 * (lengths, formats, bounds, `.int()`, refinements) on each field and the object, but skips zod's issue and
 * path machinery, which dominates the cost of validating millions of well-formed rows. The commonest checks
 * (string lengths, numeric bounds, safe integers, the email and ISO-date patterns) are compiled into the
 * function as conditions that imply zod's; where such a condition is false, zod's check runs. It only ever
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
      /** Check parameters read for inlining (see `inlineOf`). */
      maximum?: unknown;
      minimum?: unknown;
      value?: unknown;
      inclusive?: boolean;
      format?: string;
      pattern?: unknown;
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
  checks: { check: Check; when?: ((payload: Payload) => boolean) | undefined; node: ZodInternals }[];
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
    out.push({ check: check as Check, when: ch._zod.def.when, node: ch });
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

/**
 * A JavaScript condition on `v` that, when true, means zod's check passes: the check's own condition for
 * bounds, safe integers and the email and ISO-date patterns; for string lengths (zod counts code points) a
 * bound on UTF-16 units that implies it. When the condition is false the check itself runs, so the answer
 * stays zod's. `ref` names the check's parameter (a number or a RegExp) in the generated code. `undefined`:
 * a check this does not know.
 */
function inlineOf(node: ZodInternals, base: FieldPlan['base'], v: string, ref: string): string | undefined {
  const { traits, def } = node._zod;
  const plain = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (base === 'string') {
    // zod's own condition for running these (a value with a length) holds for every string.
    const lengthy = def.when === undefined || def.when.name === '_whenHasLength';
    if (traits.has('$ZodCheckMaxLength') && lengthy && plain(def.maximum)) return `${v}.length <= ${ref}`;
    // A code point is at most two units: twice the floor in units always clears it.
    if (traits.has('$ZodCheckMinLength') && lengthy && plain(def.minimum)) return `${v}.length >= 2 * ${ref}`;
    const pattern = def.pattern;
    if (
      (traits.has('$ZodEmail') || traits.has('$ZodISODate')) &&
      def.when === undefined &&
      pattern instanceof RegExp &&
      !pattern.global &&
      !pattern.sticky
    )
      return `${ref}.test(${v})`;
    return undefined;
  }
  if (base !== 'number' || def.when !== undefined) return undefined;
  if (traits.has('$ZodCheckLessThan') && plain(def.value)) return `${v} ${def.inclusive ? '<=' : '<'} ${ref}`;
  if (traits.has('$ZodCheckGreaterThan') && plain(def.value))
    return `${v} ${def.inclusive ? '>=' : '>'} ${ref}`;
  if (traits.has('$ZodCheckNumberFormat') && def.format === 'safeint') return `Number.isSafeInteger(${v})`;
  return undefined;
}

/** The parameter `inlineOf` compares with. */
function parameterOf(node: ZodInternals): unknown {
  const { traits, def } = node._zod;
  if (traits.has('$ZodCheckMaxLength')) return def.maximum;
  if (traits.has('$ZodCheckMinLength')) return def.minimum;
  if (traits.has('$ZodCheckLessThan') || traits.has('$ZodCheckGreaterThan')) return def.value;
  return def.pattern;
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

/**
 * One field's statements in the generated function: literal property names keep every access monomorphic.
 * A field whose checks all have an inline condition tests those conditions (running a check itself only where
 * its condition is false); any other field runs its checks in order as zod does (they may rewrite the value).
 */
function fieldSource(plan: FieldPlan, i: number, bind: (value: unknown) => string): string {
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
  if (
    plan.checks.length > 0 &&
    plan.checks.every(({ node }) => inlineOf(node, plan.base, v, 'x') !== undefined)
  ) {
    for (const check of plan.checks) {
      const condition = inlineOf(check.node, plan.base, v, bind(parameterOf(check.node))) as string;
      const one = bind([check]);
      lines.push(
        `if (!(${condition}) && !passes(${one}, (payload.value = ${v}, payload))) return undefined;`,
      );
    }
  } else if (plan.checks.length > 0)
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
  // Constants the generated code refers to by name: check parameters and single checks.
  const bind = (value: unknown): string => {
    names.push(`c${args.length}`);
    args.push(value);
    return `c${args.length - 1}`;
  };
  const fieldLines = fields.map((plan, i) => fieldSource(plan, i, bind));
  const body = [
    'return function fastAccept(input) {',
    "if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;",
    'const out = {};',
    ...fieldLines,
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
