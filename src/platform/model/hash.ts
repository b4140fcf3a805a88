import { createHash } from 'node:crypto';

/** sha256 of model bytes (or text) as lower-case hex: the identity manifests and the registry use. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
