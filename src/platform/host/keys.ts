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

/** Keys already found valid, remembered so a busy caller's key is not hashed on every request. */
const REMEMBERED_KEYS = 64;

export function createKeyCheck(keys: HostKeys | undefined): KeyCheck {
  const master = keys?.master === undefined ? [] : [digest(keys.master)];
  const functionKeys = Object.values(keys?.function ?? {}).map(digest);
  const anyKey = [...functionKeys, ...master];
  const enforced = master.length + functionKeys.length > 0;
  // Only valid keys are remembered (a hit tells a caller nothing the 200 would not), and only so many.
  const valid = { master: new Set<string>(), function: new Set<string>() };
  const remember = (set: Set<string>, key: string): void => {
    if (set.size >= REMEMBERED_KEYS) set.clear();
    set.add(key);
  };
  return {
    enforced,
    allows(level, key) {
      if (!enforced || level === 'anonymous') return true;
      if (key === null || key === '') return false;
      const known = level === 'function' ? valid.function : valid.master;
      if (known.has(key)) return true;
      const presented = digest(key);
      const ok = matches(presented, level === 'function' ? anyKey : master);
      if (ok) remember(known, key);
      return ok;
    },
  };
}
