/**
 * Just enough Bicep (and azure.yaml) reading for structure tests, since no Bicep compiler runs here: a
 * scanner that knows comments, strings (with `${}` interpolation) and multi-line strings, and helpers on it.
 */

export interface Scan {
  /** Comments removed; strings kept. */
  code: string;
  /** Comments removed and string characters blanked (quotes and `${...}` expressions kept), same length. */
  masked: string;
  /** Unbalanced or unclosed `{}`, `[]`, `()` and strings, with line numbers. */
  errors: string[];
}

const CLOSERS: Record<string, string> = { '}': '{', ']': '[', ')': '(' };

export function scanBicep(text: string): Scan {
  const code: string[] = [];
  const masked: string[] = [];
  const errors: string[] = [];
  // Open brackets, plus '${' for an interpolation, which returns to its string when it closes.
  const stack: { open: string; line: number }[] = [];
  let inString = false;
  let stringLine = 0;
  let line = 1;
  const emit = (raw: string, blank: boolean) => {
    code.push(raw);
    masked.push(blank ? raw.replace(/[^\n]/g, ' ') : raw);
  };

  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (inString) {
      if (ch === '\\') {
        emit(text.slice(i, i + 2), true);
        i += 2;
      } else if (ch === "'") {
        emit(ch, false);
        inString = false;
        i += 1;
      } else if (ch === '$' && next === '{') {
        emit('${', false);
        stack.push({ open: '${', line });
        inString = false;
        i += 2;
      } else {
        if (ch === '\n') {
          errors.push(`line ${stringLine}: string not closed on its line`);
          line += 1;
        }
        emit(ch, ch !== '\n');
        i += 1;
      }
      continue;
    }
    if (ch === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const comment = end === -1 ? text.slice(i) : text.slice(i, end + 2);
      if (end === -1) errors.push(`line ${line}: block comment not closed`);
      const newlines = comment.replace(/[^\n]/g, '');
      code.push(newlines);
      masked.push(newlines);
      line += newlines.length;
      i += comment.length;
      continue;
    }
    if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      if (end === -1) errors.push(`line ${line}: multi-line string not closed`);
      const body = end === -1 ? text.slice(i + 3) : text.slice(i + 3, end);
      code.push(`'''${body}'''`);
      masked.push(`'''${body.replace(/[^\n]/g, ' ')}'''`);
      line += body.split('\n').length - 1;
      i += body.length + 6;
      continue;
    }
    if (ch === "'") {
      emit(ch, false);
      inString = true;
      stringLine = line;
      i += 1;
      continue;
    }
    if (ch === '{' || ch === '[' || ch === '(') stack.push({ open: ch, line });
    const closes = CLOSERS[ch];
    if (closes !== undefined) {
      const top = stack.pop();
      if (top === undefined) errors.push(`line ${line}: '${ch}' closes nothing`);
      else if (top.open === '${' && ch === '}') inString = true;
      else if (top.open !== closes)
        errors.push(`line ${line}: '${ch}' closes '${top.open}' from line ${top.line}`);
    }
    if (ch === '\n') line += 1;
    emit(ch, false);
    i += 1;
  }
  if (inString) errors.push(`line ${stringLine}: string not closed`);
  for (const open of stack) errors.push(`line ${open.line}: '${open.open}' never closed`);
  return { code: code.join(''), masked: masked.join(''), errors };
}

/** The text of the `{ ... }` block whose opening brace is the first one at or after `from`. */
export function blockAt(scan: Scan, from: number): string {
  const start = scan.masked.indexOf('{', from);
  if (start === -1) throw new Error(`no block after offset ${from}`);
  let depth = 0;
  for (let i = start; i < scan.masked.length; i += 1) {
    const ch = scan.masked[i];
    if (ch === '{') depth += 1;
    if (ch === '}') depth -= 1;
    if (depth === 0) return scan.code.slice(start, i + 1);
  }
  throw new Error(`block at offset ${start} never closes`);
}

/** The block that follows the first match of `pattern` in the comment-free code. */
export function blockAfter(scan: Scan, pattern: RegExp): string {
  const match = pattern.exec(scan.code);
  if (match === null) throw new Error(`${pattern} not found`);
  return blockAt(scan, match.index + match[0].length - 1);
}

/** `key: value` entries directly inside a block (not nested ones), values as written on the key's line. */
export function entries(block: string): Map<string, string> {
  const inner = scanBicep(block.slice(1, -1));
  const result = new Map<string, string>();
  let depth = 0;
  const maskedLines = inner.masked.split('\n');
  const codeLines = inner.code.split('\n');
  maskedLines.forEach((maskedLine, index) => {
    const codeLine = codeLines[index] ?? '';
    const key = /^\s*(?:'([^']+)'|([A-Za-z_$][\w$]*))\s*:/.exec(codeLine);
    if (depth === 0 && key !== null) result.set(key[1] ?? key[2] ?? '', codeLine.slice(key[0].length).trim());
    for (const ch of maskedLine) {
      if ('{[('.includes(ch)) depth += 1;
      if ('}])'.includes(ch)) depth -= 1;
    }
  });
  return result;
}

/** The literal text of a plain single-quoted Bicep string, or undefined for any expression. */
export function literal(value: string | undefined): string | undefined {
  const match = /^'((?:[^'\\$]|\\.)*)'$/.exec(value?.trim() ?? '');
  return match?.[1];
}

export interface Param {
  name: string;
  type: string;
  hasDefault: boolean;
}

/** Top-level `param` declarations. */
export function params(scan: Scan): Map<string, Param> {
  const found = new Map<string, Param>();
  for (const match of scan.masked.matchAll(/^param\s+(\w+)\s+(\w+)(\s*=)?/gm)) {
    const [, name = '', type = '', assignment] = match;
    found.set(name, { name, type, hasDefault: assignment !== undefined });
  }
  return found;
}

/** Names of top-level `output` declarations. */
export function outputs(scan: Scan): Set<string> {
  return new Set([...scan.masked.matchAll(/^output\s+(\w+)\s/gm)].map((m) => m[1] ?? ''));
}

export interface ModuleUse {
  symbol: string;
  path: string;
  params: Map<string, string>;
}

/** `module x './path.bicep' = { ... params: { ... } }` declarations. */
export function modules(scan: Scan): ModuleUse[] {
  return [...scan.code.matchAll(/^module\s+(\w+)\s+'([^']+)'\s*=\s*/gm)].map((match) => {
    const block = blockAt(scan, match.index + match[0].length);
    const body = entries(block);
    const paramBlock = body.has('params') ? blockAfter(scanBicep(block), /^\s*params\s*:\s*\{/m) : '{}';
    return { symbol: match[1] ?? '', path: match[2] ?? '', params: entries(paramBlock) };
  });
}

/** `key: value` pairs of a simple YAML mapping, flattened to dotted paths. */
export function yamlPaths(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const parents: { indent: number; key: string }[] = [];
  for (const raw of text.split('\n')) {
    const match = /^(\s*)([\w.-]+):\s*(.*?)\s*$/.exec(raw.replace(/\s+#.*$/, ''));
    if (raw.trimStart().startsWith('#') || match === null) continue;
    const [, spaces = '', key = '', value = ''] = match;
    while (parents.length > 0 && (parents.at(-1)?.indent ?? 0) >= spaces.length) parents.pop();
    const path = [...parents.map((p) => p.key), key].join('.');
    if (value === '') parents.push({ indent: spaces.length, key });
    else result.set(path, value.replace(/^(['"])(.*)\1$/, '$2'));
  }
  return result;
}
