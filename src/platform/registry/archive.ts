import type { AppendBlobClient, ContainerClient } from '@azure/storage-blob';
import { readBlobWithEtag, statusOf } from './blobs.js';
import { type ChainProblem, canonicalJson } from './chain.js';
import type { LedgerEntry } from './types.js';

/** What the WORM archive says about a use case's ledger. */
export interface ArchiveCheck {
  /** Lines in the archive. */
  lines: number;
  /** Chained table entries not (yet) in the archive: a failed archive write, not by itself tampering. */
  notArchived: number;
  problems: ChainProblem[];
}

/**
 * A write-once copy of the ledger: one append blob per use case (`{useCase}/ledger.jsonl`) in a container
 * with a time-based immutability policy that allows protected appends only (Azure). Each committed entry is
 * appended as one canonical JSON line, so an entry edited, deleted or re-chained in the table is caught by
 * comparing the two, even when the table's own chain was recomputed by whoever changed it.
 */
export function createLedgerArchive(container: ContainerClient) {
  let ready: Promise<void> | undefined;
  const blob = (useCase: string): AppendBlobClient =>
    container.getAppendBlobClient(`${useCase}/ledger.jsonl`);
  const ensure = () => {
    ready ??= container.createIfNotExists().then(
      () => undefined,
      (error: unknown) => {
        ready = undefined;
        throw error;
      },
    );
    return ready;
  };

  return {
    /** Appends one entry (creating the blob on first use). */
    async append(entry: LedgerEntry): Promise<void> {
      await ensure();
      const line = `${canonicalJson(entry)}\n`;
      const target = blob(entry.useCase);
      try {
        await target.appendBlock(line, Buffer.byteLength(line));
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        await target.createIfNotExists();
        await target.appendBlock(line, Buffer.byteLength(line));
      }
    },

    /** Compares the table's entries with the archived copies, by seq. */
    async check(useCase: string, table: readonly LedgerEntry[]): Promise<ArchiveCheck> {
      await ensure();
      const read = await readBlobWithEtag(container.getBlockBlobClient(`${useCase}/ledger.jsonl`));
      const archived = new Map<number, { hash: string; line: string }>();
      const problems: ChainProblem[] = [];
      for (const line of (read?.bytes.toString('utf8') ?? '').split('\n')) {
        if (line.trim() === '') continue;
        try {
          const entry = JSON.parse(line) as LedgerEntry;
          if (typeof entry.seq === 'number' && typeof entry.hash === 'string')
            archived.set(entry.seq, { hash: entry.hash, line });
        } catch {
          problems.push({ problem: 'the WORM archive holds a line that is not JSON' });
        }
      }
      const bySeq = new Map(table.filter((e) => e.seq !== undefined).map((e) => [e.seq as number, e]));
      for (const [seq, copy] of archived) {
        const entry = bySeq.get(seq);
        if (entry === undefined) {
          problems.push({
            seq,
            problem: `seq ${seq} is in the WORM archive but missing from the ledger table: deleted`,
          });
        } else if (canonicalJson(entry) !== copy.line) {
          problems.push({
            seq,
            id: entry.id,
            problem: `seq ${seq} differs from its WORM archive copy: edited`,
          });
        }
      }
      const notArchived = [...bySeq.keys()].filter((seq) => !archived.has(seq)).length;
      return { lines: archived.size, notArchived, problems };
    },
  };
}

export type LedgerArchive = ReturnType<typeof createLedgerArchive>;
