import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

export const HMAC_PREFIX = 'hmac-sha256:';

/** The key imported once per key buffer (importing it for every HMAC was ~5% of a loaded host's CPU). */
const keys = new WeakMap<Buffer, KeyObject>();
function keyObject(key: Buffer): KeyObject {
  let object = keys.get(key);
  if (object === undefined) {
    object = createSecretKey(key);
    keys.set(key, object);
  }
  return object;
}

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
  const secret = piiFields.length === 0 ? undefined : keyObject(key);
  for (const field of piiFields) {
    const value = out[field];
    if (value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    out[field] = `${HMAC_PREFIX}${createHmac('sha256', secret as KeyObject)
      .update(text, 'utf8')
      .digest('hex')}`;
  }
  return out;
}
