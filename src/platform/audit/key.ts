import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RiskopsError } from '../errors/index.js';

const KEY_FILE = 'audit-hmac.key';

/**
 * The key PII fields are HMAC'd with. In Azure it must come from settings (a Key Vault reference); locally,
 * without a setting, a random key is created once in the data dir, so hashes stay joinable across restarts.
 * @throws RiskopsError `invalid_settings` in Azure without a key.
 */
export function resolveHmacKey(settings: {
  RISKOPS_AUDIT_HMAC_KEY?: string | undefined;
  RISKOPS_ENVIRONMENT: string;
  RISKOPS_DATA_DIR: string;
}): Buffer {
  if (settings.RISKOPS_AUDIT_HMAC_KEY !== undefined)
    return Buffer.from(settings.RISKOPS_AUDIT_HMAC_KEY, 'utf8');
  if (settings.RISKOPS_ENVIRONMENT === 'azure') {
    throw new RiskopsError(
      'invalid_settings',
      'RISKOPS_AUDIT_HMAC_KEY is required in Azure (a Key Vault reference): PII in the decision log is keyed-hashed with it',
    );
  }
  const path = join(settings.RISKOPS_DATA_DIR, KEY_FILE);
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  } catch {
    mkdirSync(settings.RISKOPS_DATA_DIR, { recursive: true });
    const key = randomBytes(32).toString('hex');
    try {
      writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
      return Buffer.from(key, 'hex');
    } catch {
      // Another process created it first: use theirs.
      return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
    }
  }
}
