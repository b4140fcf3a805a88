/** `riskops openapi [--out file]`: writes the OpenAPI 3.1 document generated from the zod schemas. */
import { writeFileSync } from 'node:fs';
import { buildOpenApi, OPENAPI_FILE } from '../../platform/openapi/index.js';
import { USE_CASES } from '../../use_cases/index.js';

/** The document as it is kept in the repository. */
export function openApiText(): string {
  return `${JSON.stringify(buildOpenApi(USE_CASES), null, 2)}\n`;
}

export async function run(args: string[]): Promise<number> {
  const at = args.indexOf('--out');
  const out = at >= 0 ? args[at + 1] : OPENAPI_FILE;
  if (out === undefined || out.startsWith('--')) {
    process.stderr.write('usage: riskops openapi [--out file] (default openapi.json; "-" for stdout)\n');
    return 2;
  }
  if (out === '-') process.stdout.write(openApiText());
  else {
    writeFileSync(out, openApiText());
    process.stdout.write(`wrote ${out}\n`);
  }
  return 0;
}
