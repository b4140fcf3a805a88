import { performance } from 'node:perf_hooks';

/**
 * Where a chunk's wall time went, in seconds. Waits are attributed to the stage that waited: `download` is
 * time spent waiting for the next piece of the input blob, `parse` the rest of reading records, `score`
 * validate + features + output lines on the consumer's thread, `onnx` waits for an onnxruntime run (on a
 * worker thread, overlapping the next batch's reading) that had not finished when its batch's turn came, `drift` the observer's own work on the thread (bin
 * counting), `driftWrites` waits for its writes (drift partials) that had not landed yet,
 * `write` waits on the output stream's back-pressure, `commit` the final blocks and block lists, `runsTable`
 * the chunk's reads and update of its rows, `finish` the completion check (and, for the last chunk, the
 * marker and summary).
 */
export interface ChunkStages {
  runsTable: number;
  download: number;
  parse: number;
  score: number;
  onnx: number;
  drift: number;
  driftWrites: number;
  write: number;
  commit: number;
  finish: number;
}

export type ChunkStage = keyof ChunkStages;

export function emptyStages(): ChunkStages {
  return {
    runsTable: 0,
    download: 0,
    parse: 0,
    score: 0,
    onnx: 0,
    drift: 0,
    driftWrites: 0,
    write: 0,
    commit: 0,
    finish: 0,
  };
}

/** Adds `from` into `into`, stage by stage. */
export function addStages(into: ChunkStages, from: Readonly<ChunkStages>): void {
  for (const key of Object.keys(into) as ChunkStage[]) into[key] += from[key];
}

/** A stopwatch that charges elapsed time to stages (two `performance.now()` calls per measured step). */
export interface StageClock {
  readonly seconds: ChunkStages;
  /** Runs `step` and charges its wall time to `stage`. */
  time<T>(stage: ChunkStage, step: () => Promise<T>): Promise<T>;
  /** Charges `ms` milliseconds to `stage`. */
  charge(stage: ChunkStage, ms: number): void;
}

export function createStageClock(): StageClock {
  const seconds = emptyStages();
  const charge = (stage: ChunkStage, ms: number): void => {
    seconds[stage] += ms / 1000;
  };
  return {
    seconds,
    charge,
    async time(stage, step) {
      const started = performance.now();
      try {
        return await step();
      } finally {
        charge(stage, performance.now() - started);
      }
    },
  };
}
