const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

export interface PlainLines {
  /**
   * Takes the next bytes. Returns `undefined` when they were consumed here, or the bytes (this piece's
   * unread ones included) from which csv-parse must read the rest of the file.
   */
  write(bytes: Uint8Array): Uint8Array | undefined;
  /** The end of input: reads a last line without a line break, or returns it for csv-parse. */
  end(): Uint8Array | undefined;
  /**
   * True once a line break was read here: csv-parse, reading the whole file, would have settled on LF as
   * its record delimiter at that first line break, so the csv-parse that takes over must use LF too.
   */
  readonly sawLineBreak: boolean;
}

/**
 * The quote-free prefix of a CSV file, read without a CSV state machine. Inside a run of whole lines
 * holding no `"` and no CR, RFC 4180 leaves nothing to interpret: each LF ends a record and each comma ends
 * a cell, so `split` gives exactly the records and cells csv-parse gives (the same shortcut Papa Parse's
 * fast mode takes), at a fraction of the cost. The first run of whole lines that holds a quote or a CR,
 * and everything after it, goes to csv-parse. Empty lines are skipped as csv-parse's `skip_empty_lines`
 * does (still counted as lines); a leading UTF-8 BOM is dropped as csv-parse's `bom` does.
 * `onLine(cells, text)` sees each non-empty line.
 */
export function createPlainLines(
  enabled: boolean,
  onLine: (cells: string[], text: string) => void,
  skipLine: () => void,
): PlainLines {
  let carry: Uint8Array | undefined;
  let started = false;
  let handedOver = !enabled;
  let sawLineBreak = false;

  const readLines = (text: string): void => {
    sawLineBreak = true;
    const lines = text.split('\n');
    // `text` ends with a line break, so the last element is the empty rest after it.
    for (let i = 0; i < lines.length - 1; i++) {
      const line = lines[i] as string;
      if (line === '') skipLine();
      else onLine(line.split(','), line);
    }
  };
  const join = (bytes: Uint8Array): Buffer => {
    let all =
      carry === undefined
        ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        : Buffer.concat([carry, bytes]);
    carry = undefined;
    if (!started && all.length >= 3) {
      started = true;
      if (all[0] === 0xef && all[1] === 0xbb && all[2] === 0xbf) all = all.subarray(3);
    }
    return all;
  };
  return {
    get sawLineBreak() {
      return sawLineBreak;
    },
    write(bytes) {
      if (handedOver) return bytes;
      const all = join(bytes);
      if (!started) {
        carry = all; // fewer than three bytes so far: a BOM may still be arriving
        return undefined;
      }
      const end = all.lastIndexOf(LF) + 1;
      const whole = all.subarray(0, end);
      if (whole.indexOf(QUOTE) !== -1 || whole.indexOf(CR) !== -1) {
        handedOver = true;
        return all;
      }
      if (end > 0) readLines(whole.toString('utf8'));
      carry = end < all.length ? Buffer.from(all.subarray(end)) : undefined;
      return undefined;
    },
    end() {
      if (handedOver || carry === undefined) return undefined;
      const last = join(new Uint8Array(0));
      if (last.length === 0) return undefined;
      if (last.indexOf(QUOTE) !== -1 || last.indexOf(CR) !== -1) {
        handedOver = true;
        return last;
      }
      const text = last.toString('utf8');
      readLines(text.endsWith('\n') ? text : `${text}\n`);
      return undefined;
    },
  };
}
