import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { azuriteConnectionString } from '../../src/platform/storage/index.js';

/** A built `riskops start` running as its own process, as a user starts it. */
export interface HostProcess {
  child: ChildProcess;
  /** The host's base URL (free port). */
  url: string;
  /** Process id of the embedded Azurite (faults and shutdown tests stop or check it by pid). */
  azuritePid: number;
  /** Connection string of that Azurite, for tests that inspect storage. */
  storage: string;
  output: () => string;
}

export interface HostProcessOptions {
  /** Project root whose `dist/src/cli/main.js` runs (default: this project). */
  root?: string;
  /** Settings beyond the defaults: free ports, embedded Azurite, local environment, this data dir. */
  env?: Record<string, string>;
  /** Every started child is pushed here, so the test file can kill what is left by pid. */
  running?: ChildProcess[];
}

/**
 * Starts `riskops start` on free ports with a temp data dir and resolves once it serves; reads the URL, the
 * Azurite pid and its ports from what the host prints. A host that exits or does not come up within 45 s fails
 * the start with its output (and is killed).
 */
export async function startHostProcess(
  dataDir: string,
  options: HostProcessOptions = {},
): Promise<HostProcess> {
  const root = options.root ?? process.cwd();
  const entry = join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [entry, 'start'], {
    cwd: root,
    env: {
      ...process.env,
      RISKOPS_DATA_DIR: dataDir,
      RISKOPS_HTTP_PORT: '0',
      RISKOPS_AZURITE_BLOB_PORT: '0',
      RISKOPS_AZURITE_QUEUE_PORT: '0',
      RISKOPS_AZURITE_TABLE_PORT: '0',
      RISKOPS_EMBEDDED_AZURITE: 'true',
      RISKOPS_ENVIRONMENT: 'local',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.running?.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 45_000;
  while (!output.includes('Press Ctrl-C to stop')) {
    if (child.exitCode !== null) throw new Error(`riskops start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`riskops start did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /Host: (http:\/\/\S+?) /.exec(output)?.[1];
  const pid = /embedded Azurite \(pid (\d+)/.exec(output)?.[1];
  const port = (service: string) =>
    Number(new RegExp(`${service}Endpoint=http://127\\.0\\.0\\.1:(\\d+)`).exec(output)?.[1]);
  if (url === undefined || pid === undefined || !port('Blob'))
    throw new Error(`could not read the URL, Azurite pid and ports:\n${output}`);
  const storage = azuriteConnectionString({ blob: port('Blob'), queue: port('Queue'), table: port('Table') });
  return { child, url, azuritePid: Number(pid), storage, output: () => output };
}
