import { sha256Hex } from '../model/index.js';
import type { LedgerEntry } from './types.js';

/** `prevHash` of the first entry of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level and `undefined` left out: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

/** The hash an entry must carry: sha256 of the canonical JSON of every field but `hash`. */
export function entryHash(entry: LedgerEntry): string {
  const { hash: _ignored, ...rest } = entry;
  return sha256Hex(canonicalJson(rest));
}

/** One finding of a chain verification. */
export interface ChainProblem {
  seq?: number;
  id?: string;
  problem: string;
}

/** What `verifyLedger` found for one use case. `ok` is false as soon as one problem is found. */
export interface LedgerVerification {
  useCase: string;
  ok: boolean;
  /** Chained entries checked. */
  entries: number;
  /** Entries written before the chain existed (no seq/hash): listed, not verifiable. */
  unchained: number;
  /** The chain's head as recorded (last seq and hash), null when nothing was ever chained. */
  head: { seq: number; hash: string } | null;
  problems: ChainProblem[];
  checkedAt: string;
  /** With a WORM archive: its line count, and chained entries not (yet) copied to it. */
  archive?: { lines: number; notArchived: number };
}

/**
 * Checks a use case's chain: every entry's hash recomputes, seq runs 1..n without gaps or repeats, each
 * prevHash is the previous entry's hash, and the head row names the last entry. An edited field breaks
 * the entry's hash; a deleted entry leaves a gap (or a head that names a missing entry).
 */
export function verifyChain(
  useCase: string,
  all: readonly LedgerEntry[],
  head: { seq: number; hash: string } | null,
  now: Date,
): LedgerVerification {
  const problems: ChainProblem[] = [];
  const chained = all.filter((e) => e.seq !== undefined || e.hash !== undefined || e.prevHash !== undefined);
  const bySeq = [...chained].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  for (const entry of bySeq) {
    const at = { ...(entry.seq === undefined ? {} : { seq: entry.seq }), id: entry.id };
    if (entry.seq === undefined || entry.hash === undefined || entry.prevHash === undefined) {
      problems.push({ ...at, problem: 'chain fields (seq, prevHash, hash) are missing or were cleared' });
      continue;
    }
    if (entry.seq < expectedSeq) {
      problems.push({ ...at, problem: `seq ${entry.seq} appears more than once (the chain forked)` });
      continue;
    }
    if (entry.seq > expectedSeq) {
      const missing = entry.seq - expectedSeq;
      problems.push({
        ...at,
        problem: `${missing} entr${missing === 1 ? 'y' : 'ies'} before seq ${entry.seq} (from seq ${expectedSeq}) are missing: deleted`,
      });
    } else if (entry.prevHash !== prev) {
      problems.push({ ...at, problem: 'prevHash does not match the previous entry: an entry was replaced' });
    }
    if (entryHash(entry) !== entry.hash) {
      problems.push({ ...at, problem: `content does not match its hash: ${entry.action} entry was edited` });
    }
    expectedSeq = entry.seq + 1;
    prev = entry.hash;
  }
  const last = bySeq.at(-1);
  if (head === null && last !== undefined) {
    problems.push({ problem: 'the chain head row is missing: it was deleted' });
  } else if (head !== null) {
    if (last === undefined || head.seq > (last.seq ?? 0)) {
      problems.push({
        seq: head.seq,
        problem: `the head names seq ${head.seq} but the newest entry is ${last?.seq ?? 'none'}: the newest entries were deleted`,
      });
    } else if (head.seq === last.seq && head.hash !== last.hash) {
      problems.push({ seq: head.seq, problem: 'the head hash does not match the newest entry' });
    } else if (head.seq < (last.seq ?? 0)) {
      problems.push({
        seq: last.seq ?? 0,
        problem: `entries past the head (seq ${head.seq}) were added outside the ledger`,
      });
    }
  }
  return {
    useCase,
    ok: problems.length === 0,
    entries: chained.length,
    unchained: all.length - chained.length,
    head,
    problems,
    checkedAt: now.toISOString(),
  };
}
