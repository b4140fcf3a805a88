import { RiskopsError } from '../errors/index.js';

/**
 * One compiled route template, as Azure Functions (ASP.NET) writes them: `score/{useCase}`,
 * `items/{id:int}`, `files/{name?}`, `pages/{page=1}`, `docs/{*path}`. Literals match case-insensitively.
 */
export interface CompiledRoute {
  readonly template: string;
  /** Route parameters (decoded), or undefined when the path does not match. */
  match(path: string): Record<string, string> | undefined;
  /** Sort key: literal segments before constrained, plain, optional and catch-all parameters. */
  readonly precedence: readonly number[];
}

type Check = (value: string) => boolean;

const number = (text: string | undefined): number => {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || Number.isNaN(value))
    throw new Error(`expected a number, got '${text}'`);
  return value;
};

const CONSTRAINTS: Record<string, (args: string[]) => Check> = {
  int: () => (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 2 ** 31,
  long: () => (v) => /^-?\d+$/.test(v),
  alpha: () => (v) => /^[a-z]+$/i.test(v),
  bool: () => (v) => /^(true|false)$/i.test(v),
  guid: () => (v) => /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i.test(v),
  decimal: () => (v) => /^-?\d+(\.\d+)?$/.test(v),
  double: () => (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  float: () => (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  datetime: () => (v) => !Number.isNaN(Date.parse(v)),
  minlength:
    ([n]) =>
    (v) =>
      v.length >= number(n),
  maxlength:
    ([n]) =>
    (v) =>
      v.length <= number(n),
  length:
    ([a, b]) =>
    (v) =>
      b === undefined ? v.length === number(a) : v.length >= number(a) && v.length <= number(b),
  min:
    ([n]) =>
    (v) =>
      Number(v) >= number(n),
  max:
    ([n]) =>
    (v) =>
      Number(v) <= number(n),
  range:
    ([a, b]) =>
    (v) =>
      Number(v) >= number(a) && Number(v) <= number(b),
  regex: ([pattern]) => {
    const re = new RegExp(pattern ?? '', 'i');
    return (v) => re.test(v);
  },
};

interface Parameter {
  name: string;
  checks: Check[];
  optional: boolean;
  fallback: string | undefined;
  catchAll: boolean;
}

/** Splits `name:int:min(1)` on colons that are not inside parentheses. */
function splitConstraints(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function parseParameter(body: string, template: string): Parameter {
  let text = body;
  const catchAll = text.startsWith('*');
  if (catchAll) text = text.replace(/^\*+/, '');
  let fallback: string | undefined;
  const eq = text.indexOf('=');
  if (eq >= 0) {
    fallback = text.slice(eq + 1);
    text = text.slice(0, eq);
  }
  const optional = fallback !== undefined || text.endsWith('?');
  if (text.endsWith('?')) text = text.slice(0, -1);
  const [name = '', ...constraints] = splitConstraints(text);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw invalid(template, `bad parameter name '${name}'`);
  const checks = constraints.map((constraint) => {
    const m = /^([a-z]+)(?:\((.*)\))?$/i.exec(constraint);
    const factory = m?.[1] === undefined ? undefined : CONSTRAINTS[m[1].toLowerCase()];
    if (m === null || factory === undefined)
      throw invalid(template, `unsupported constraint '${constraint}'`);
    const args =
      m[1]?.toLowerCase() === 'regex' ? [m[2] ?? ''] : (m[2] ?? '').split(',').map((a) => a.trim());
    try {
      return factory(args);
    } catch (error) {
      throw invalid(template, `constraint '${constraint}': ${(error as Error).message}`);
    }
  });
  return { name, checks, optional, fallback, catchAll };
}

function invalid(template: string, why: string): RiskopsError {
  return new RiskopsError('invalid_settings', `Invalid route template '${template}': ${why}`);
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Compiles a route template.
 * @throws RiskopsError `invalid_settings` for a malformed template or an unknown constraint.
 */
export function compileRoute(template: string): CompiledRoute {
  const segments = template.replace(/^\/+|\/+$/g, '').split('/');
  const params: Parameter[] = [];
  const precedence: number[] = [];
  let source = '';
  segments.forEach((segment, index) => {
    const whole = /^\{([^{}]+)\}$/.exec(segment);
    if (whole?.[1] !== undefined) {
      const param = parseParameter(whole[1], template);
      params.push(param);
      const last = index === segments.length - 1;
      if ((param.catchAll || param.optional) && !last)
        throw invalid(template, `'${param.name}' must be the last segment`);
      precedence.push(param.catchAll ? 4 : param.optional ? 3 : param.checks.length > 0 ? 1 : 2);
      const group = param.catchAll ? '(.*)' : '([^/]+)';
      source += index === 0 ? (param.optional || param.catchAll ? `${group}?` : group) : '';
      if (index > 0) source += param.optional || param.catchAll ? `(?:/${group})?` : `/${group}`;
      return;
    }
    // A segment of literals, possibly mixed with parameters, like `{name}.{ext}`.
    let part = '';
    let rest = segment;
    while (rest.length > 0) {
      const open = rest.indexOf('{');
      if (open < 0) {
        part += escapeRegExp(rest);
        break;
      }
      const close = rest.indexOf('}', open);
      if (close < 0) throw invalid(template, 'unbalanced braces');
      part += escapeRegExp(rest.slice(0, open));
      const param = parseParameter(rest.slice(open + 1, close), template);
      if (param.optional || param.catchAll)
        throw invalid(template, 'optional parameters must be a whole segment');
      params.push(param);
      part += '([^/]+?)';
      rest = rest.slice(close + 1);
    }
    if (part === '' && segments.length > 1) throw invalid(template, 'empty segment');
    precedence.push(segment.includes('{') ? 1 : 0);
    source += index === 0 ? part : `/${part}`;
  });
  const pattern = new RegExp(`^${source}/?$`, 'i');
  return {
    template,
    precedence,
    match(path) {
      const m = pattern.exec(path.replace(/^\/+/, ''));
      if (m === null) return undefined;
      const values: Record<string, string> = {};
      for (const [i, param] of params.entries()) {
        const raw = m[i + 1];
        if (raw === undefined || raw === '') {
          if (!param.optional && !param.catchAll) return undefined;
          if (param.fallback !== undefined) values[param.name] = param.fallback;
          continue;
        }
        let value: string;
        try {
          value = param.catchAll ? raw.split('/').map(decodeURIComponent).join('/') : decodeURIComponent(raw);
        } catch {
          return undefined;
        }
        if (!param.checks.every((check) => check(value))) return undefined;
        values[param.name] = value;
      }
      return values;
    },
  };
}

/** Orders routes so the most specific template is tried first. */
export function byPrecedence(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const diff = (a.precedence[i] ?? -1) - (b.precedence[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}
