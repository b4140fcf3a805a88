import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliStorageConnection } from '../../src/cli/storage.js';
import { storageHint } from '../../src/cli/storage-hint.js';
import { loadSettings } from '../../src/platform/config/index.js';
import { RiskopsError } from '../../src/platform/errors/index.js';
import { writeAzuriteEndpoints } from '../../src/platform/host/azurite-endpoints.js';
import { readAzuriteEndpoints } from '../../src/platform/host/index.js';
import { azuriteConnectionString } from '../../src/platform/storage/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'riskops-cli-'));
  dirs.push(dir);
  return dir;
}

const PORTS = { blob: 41001, queue: 41002, table: 41003 };
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10000'), { code: 'ECONNREFUSED' });

function record(dir: string, pid: number): void {
  writeAzuriteEndpoints(dir, {
    pid,
    hostPid: process.pid,
    startedAt: new Date().toISOString(),
    ports: PORTS,
    connectionString: azuriteConnectionString(PORTS),
  });
}

describe('which storage the CLI talks to', () => {
  it('the Azurite a running riskops start recorded in the data dir, on whatever ports it got', () => {
    const dir = dataDir();
    record(dir, process.pid);
    const connection = cliStorageConnection(loadSettings({ env: { RISKOPS_DATA_DIR: dir } }));
    expect(connection).toEqual({
      kind: 'connectionString',
      connectionString: azuriteConnectionString(PORTS),
    });
    const hint = storageHint(refused);
    expect(hint).toContain('the Azurite of the running riskops start');
    expect(hint).toContain('127.0.0.1:41001');
  });

  it('prefers that Azurite over UseDevelopmentStorage=true, but not over an explicit connection', () => {
    const dir = dataDir();
    record(dir, process.pid);
    const dev = cliStorageConnection(
      loadSettings({ env: { RISKOPS_DATA_DIR: dir, AzureWebJobsStorage: 'UseDevelopmentStorage=true' } }),
    );
    expect(dev).toEqual({ kind: 'connectionString', connectionString: azuriteConnectionString(PORTS) });
    const other = azuriteConnectionString({ blob: 42001, queue: 42002, table: 42003 });
    const explicit = cliStorageConnection(
      loadSettings({ env: { RISKOPS_DATA_DIR: dir, AzureWebJobsStorage: other } }),
    );
    expect(explicit).toEqual({ kind: 'connectionString', connectionString: other });
  });

  it('ignores a record left by a run that is gone, and names the address it falls back to', () => {
    const dir = dataDir();
    record(dir, 2 ** 22 + 12345); // above Linux's pid_max default: no such process
    expect(readAzuriteEndpoints(dir)).toBeUndefined();
    const connection = cliStorageConnection(loadSettings({ env: { RISKOPS_DATA_DIR: dir } }));
    expect(connection.kind === 'connectionString' && connection.connectionString).toContain(
      '127.0.0.1:10000',
    );
    const hint = storageHint(
      new RiskopsError('storage_unavailable', 'Cannot reach the models container models'),
    );
    expect(hint).toContain('127.0.0.1:10000');
    expect(hint).toContain('no running riskops start recorded in');
    expect(storageHint(new RiskopsError('invalid_input', 'bad flag'))).toBeUndefined();
  });
});
