/** Adds a use case's import and its entry in `USE_CASES` to the text of src/use_cases/index.ts. */
import { RiskopsError } from '../errors/index.js';

const LIST = /export const USE_CASES: readonly AnyUseCase\[\] = \[([^\]]*)\];/;
const USE_CASE_IMPORT = /^import \{ (\w+) \} from '\.\/(\w+)\/index\.js';$/;

/**
 * The index text with `name` imported and listed (unchanged when it already is).
 * @throws RiskopsError `invalid_input` when the file does not have the expected `USE_CASES` list.
 */
export function addToIndex(text: string, name: string, constName: string): string {
  const list = LIST.exec(text);
  if (list === null)
    throw new RiskopsError(
      'invalid_input',
      'src/use_cases/index.ts has no `export const USE_CASES: readonly AnyUseCase[] = [...]` list to add the use case to',
    );
  const entries = (list[1] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  let out = text;
  if (!entries.includes(constName))
    out = out.replace(
      LIST,
      `export const USE_CASES: readonly AnyUseCase[] = [${[...entries, constName].join(', ')}];`,
    );
  const lines = out.split('\n');
  const imports = lines.filter((l) => USE_CASE_IMPORT.test(l));
  if (imports.some((l) => USE_CASE_IMPORT.exec(l)?.[2] === name)) return out;
  const line = `import { ${constName} } from './${name}/index.js';`;
  const sorted = [...imports, line].sort((a, b) => {
    const pa = USE_CASE_IMPORT.exec(a)?.[2] ?? '';
    const pb = USE_CASE_IMPORT.exec(b)?.[2] ?? '';
    return pa < pb ? -1 : 1;
  });
  const first = lines.findIndex((l) => USE_CASE_IMPORT.test(l));
  if (first < 0) {
    const lastImport = lines.reduce((at, l, i) => (l.startsWith('import ') ? i : at), -1);
    lines.splice(lastImport + 1, 0, line);
    return lines.join('\n');
  }
  const rest = lines.filter((l) => !USE_CASE_IMPORT.test(l));
  rest.splice(first, 0, ...sorted);
  return rest.join('\n');
}
