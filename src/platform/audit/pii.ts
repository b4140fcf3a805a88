import { createHmac } from 'node:crypto';

export const HMAC_PREFIX = 'hmac-sha256:';

/**
 * Replaces the values of `piiFields` with a keyed HMAC (hex), so equal values stay joinable for investigations
 * while the clear text is never stored. Missing values stay missing.
 */
export function pseudonymise(
  record: Readonly<Record<string, unknown>>,
  piiFields: readonly string[],
  key: Buffer,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...record };
  for (const field of piiFields) {
    const value = out[field];
    if (value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    out[field] = `${HMAC_PREFIX}${createHmac('sha256', key).update(text, 'utf8').digest('hex')}`;
  }
  return out;
}
