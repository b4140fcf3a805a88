import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthLevel } from '../functions/index.js';

/** Keys the local host checks, as the Functions host does: a master (admin) key and named function keys. */
export interface HostKeys {
  master?: string | undefined;
  /** name → value; any of them opens `function`-level routes. */
  function: Readonly<Record<string, string>>;
}

export interface KeyCheck {
  /** False when no key is configured: every route is open (and the host says so at start). */
  readonly enforced: boolean;
  /**
   * Whether a request presenting `key` (the `x-functions-key` header, else the `code` query value) may call a
   * route of `level`. `function` accepts a function key or the master key; `admin` only the master key.
   */
  allows(level: AuthLevel | 'host', key: string | null): boolean;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Compares digests in constant time, so a key cannot be guessed byte by byte from response timing. */
function matches(key: Buffer, candidates: readonly Buffer[]): boolean {
  let found = false;
  for (const candidate of candidates) if (timingSafeEqual(key, candidate)) found = true;
  return found;
}

export function createKeyCheck(keys: HostKeys | undefined): KeyCheck {
  const master = keys?.master === undefined ? [] : [digest(keys.master)];
  const functionKeys = Object.values(keys?.function ?? {}).map(digest);
  const enforced = master.length + functionKeys.length > 0;
  return {
    enforced,
    allows(level, key) {
      if (!enforced || level === 'anonymous') return true;
      if (key === null || key === '') return false;
      const presented = digest(key);
      if (level === 'function') return matches(presented, [...functionKeys, ...master]);
      return matches(presented, master);
    },
  };
}
