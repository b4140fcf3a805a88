import { readLocalSettings } from '../config/index.js';
import type { StorageConnection } from '../storage/index.js';

/**
 * Exposes `local.settings.json` `Values` as environment variables, as Core Tools does for the worker, so
 * handlers and `%SETTING%` references see them. Variables already set win.
 * @returns the names that were set.
 * @throws RiskopsError `invalid_settings` when the file exists but is not a valid local.settings.json.
 */
export function exportLocalSettings(
  path: string,
  env: Record<string, string | undefined> = process.env,
): string[] {
  const set: string[] = [];
  for (const [name, value] of Object.entries(readLocalSettings(path))) {
    if (env[name] === undefined) {
      env[name] = value;
      set.push(name);
    }
  }
  return set;
}

/** Where storage is, for the start-up banner: endpoints and account, never a key or SAS token. */
export function describeConnection(connection: StorageConnection): string {
  if (connection.kind === 'identity') {
    const { blobServiceUri, queueServiceUri, tableServiceUri } = connection;
    return `managed identity: blob ${blobServiceUri}, queue ${queueServiceUri}, table ${tableServiceUri}`;
  }
  return connection.connectionString
    .split(';')
    .filter(
      (part) =>
        part.trim() !== '' && !/^(AccountKey|SharedAccessSignature|SharedAccessKey)=/i.test(part.trim()),
    )
    .join('; ');
}
