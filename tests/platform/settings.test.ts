import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, SETTING_NAMES } from '../../src/platform/config/index.js';
import { isRiskopsError } from '../../src/platform/errors/index.js';
import { storageConnectionFrom } from '../../src/platform/storage/index.js';

describe('settings', () => {
  it('applies defaults and reads the storage connection', () => {
    const settings = loadSettings({ env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' } });
    expect(settings.RISKOPS_HTTP_PORT).toBe(7071);
    expect(settings.RISKOPS_EMBEDDED_AZURITE).toBe(true);
    const connection = storageConnectionFrom(settings);
    expect(connection.kind).toBe('connectionString');
    if (connection.kind === 'connectionString')
      expect(connection.connectionString).toContain('TableEndpoint=http://127.0.0.1:10002');
  });

  it('lists every bad key in one error', () => {
    let caught: unknown;
    try {
      loadSettings({
        env: {
          RISKOPS_HTTP_PORT: 'eighty',
          RISKOPS_EMBEDDED_AZURITE: 'maybe',
          RISKOPS_MODELS_CONTAINER: 'Bad_Name',
        },
      });
    } catch (error) {
      caught = error;
    }
    expect(isRiskopsError(caught, 'invalid_settings')).toBe(true);
    const message = (caught as Error).message;
    for (const key of [
      'RISKOPS_HTTP_PORT',
      'RISKOPS_EMBEDDED_AZURITE',
      'RISKOPS_MODELS_CONTAINER',
      'AzureWebJobsStorage',
    ]) {
      expect(message).toContain(key);
    }
  });

  it('needs a storage connection in Azure, but not locally with the embedded Azurite', () => {
    expect(() => loadSettings({ env: { RISKOPS_ENVIRONMENT: 'azure' } })).toThrow(/AzureWebJobsStorage/);
    expect(() => loadSettings({ env: { RISKOPS_EMBEDDED_AZURITE: 'false' } })).toThrow(/AzureWebJobsStorage/);
    const local = loadSettings({ env: {} });
    expect(storageConnectionFrom(local)).toMatchObject({ kind: 'connectionString' });
  });

  it('accepts identity-based storage URIs instead of a connection string', () => {
    const settings = loadSettings({
      env: {
        AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.windows.net',
        AzureWebJobsStorage__queueServiceUri: 'https://acct.queue.core.windows.net',
        AzureWebJobsStorage__tableServiceUri: 'https://acct.table.core.windows.net',
      },
    });
    expect(storageConnectionFrom(settings)).toMatchObject({
      kind: 'identity',
      blobServiceUri: 'https://acct.blob.core.windows.net',
    });
  });

  it('reads local.settings.json, with the environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'riskops-settings-'));
    const path = join(dir, 'local.settings.json');
    writeFileSync(
      path,
      JSON.stringify({
        IsEncrypted: false,
        Values: {
          AzureWebJobsStorage: 'UseDevelopmentStorage=true',
          RISKOPS_HTTP_PORT: '7072',
          RISKOPS_LOG_LEVEL: 'debug',
        },
      }),
    );
    const settings = loadSettings({ env: { RISKOPS_HTTP_PORT: '7073' }, localSettingsPath: path });
    expect(settings.RISKOPS_HTTP_PORT).toBe(7073);
    expect(settings.RISKOPS_LOG_LEVEL).toBe('debug');
  });

  it('names a local.settings.json that is not valid JSON', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'riskops-settings-')), 'local.settings.json');
    writeFileSync(path, '{"Values": {');
    expect(() => loadSettings({ env: {}, localSettingsPath: path })).toThrow(
      /is not a valid local.settings.json/,
    );
  });

  it('has every setting in local.settings.sample.json', async () => {
    const { readFileSync } = await import('node:fs');
    const sample = JSON.parse(readFileSync('local.settings.sample.json', 'utf8')) as {
      Values: Record<string, string>;
    };
    for (const name of SETTING_NAMES) expect(Object.keys(sample.Values)).toContain(name);
    expect(() => loadSettings({ env: {}, localSettingsPath: 'local.settings.sample.json' })).not.toThrow();
  });
});
