import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { RiskopsError } from '../errors/index.js';
import { type Settings, SettingsSchema, storageConnectionIssue } from './settings.js';

const LocalSettingsFile = z.object({
  IsEncrypted: z.boolean().optional(),
  Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

/**
 * The non-empty `Values` of a `local.settings.json`, as strings; none when the file does not exist.
 * @throws RiskopsError `invalid_settings` when the file is not valid JSON of that shape.
 */
export function readLocalSettings(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  let parsed: z.infer<typeof LocalSettingsFile>;
  try {
    parsed = LocalSettingsFile.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new RiskopsError('invalid_settings', `${resolve(path)} is not a valid local.settings.json`, {
      cause: error,
    });
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.Values)) {
    if (value !== '') values[key] = String(value);
  }
  return values;
}

export interface LoadSettingsOptions {
  /** Defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Path of a `local.settings.json`; its `Values` fill keys the environment does not set. */
  localSettingsPath?: string | undefined;
}

/**
 * Reads the settings once. Environment wins over `local.settings.json`, as in Core Tools.
 * @throws RiskopsError `invalid_settings` listing every bad key.
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const env = options.env ?? process.env;
  const merged: Record<string, string> =
    options.localSettingsPath === undefined ? {} : readLocalSettings(options.localSettingsPath);
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const picked: Record<string, string> = {};
  for (const key of Object.keys(SettingsSchema.shape)) {
    const value = merged[key];
    if (value !== undefined) picked[key] = value;
  }
  const result = SettingsSchema.safeParse(picked);
  const issues = result.success
    ? []
    : result.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(settings)',
        message: issue.message,
      }));
  // Locally the embedded Azurite is the storage unless a connection is given; in Azure one must be.
  const embedded =
    result.success && result.data.RISKOPS_EMBEDDED_AZURITE && result.data.RISKOPS_ENVIRONMENT !== 'azure';
  const storage = embedded ? undefined : storageConnectionIssue(picked);
  if (storage !== undefined) issues.push({ path: 'AzureWebJobsStorage', message: storage });
  if (!result.success || issues.length > 0) {
    const text = issues.map((issue) => `  - ${issue.path}: ${issue.message}`);
    throw new RiskopsError('invalid_settings', `Invalid settings:\n${text.join('\n')}`, { issues });
  }
  return result.data;
}
