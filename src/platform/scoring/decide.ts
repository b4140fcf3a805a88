import { createHash } from 'node:crypto';
import { type DecisionLog, type DecisionRole, decisionRecords } from '../audit/index.js';
import { RiskopsError } from '../errors/index.js';
import { type Explanation, explainerFor, explainRecords } from '../explain/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { type ChallengerLookup, createChallengerCache } from './challenger.js';
import { createMicroBatcher } from './micro-batch.js';
import type { LoadedModel, ModelProvider, ScoreObservation } from './ports.js';
import { encodeRecords, runModel, type Score, toScores } from './score.js';

/** One record's decision as returned to the caller. */
export interface Decision extends Score {
  modelVersion: string;
  decidedBy: DecisionRole;
  /** Top adverse reasons; null when the model cannot be explained (see `reasonsUnavailable`). */
  reasons: Explanation['reasons'] | null;
  reasonsUnavailable?: string;
  explanation?: NonNullable<Explanation['full']>;
}

export interface DecideRequest {
  useCase: AnyUseCase;
  records: readonly Record<string, unknown>[];
  requestId: string;
  caller: string;
  /** Pin a registered version: no canary, no shadow. */
  version?: string | undefined;
  /** Every input's contribution, not only the top reasons. */
  full?: boolean;
}

export interface DecisionEngineOptions {
  models: ModelProvider;
  challenger: ChallengerLookup;
  /** Without a log, nothing is decided (503): a decision without a record is never returned. */
  log: DecisionLog | undefined;
  hmacKey: Buffer | undefined;
  /** Use cases whose challenger scores every request off the response path. */
  shadow: readonly string[];
  /** Per use case, the share of entities (sticky by a hash of the entity id) the challenger decides. */
  canary: Readonly<Record<string, number>>;
  refreshMs: number;
  /** Join ONNX runs of concurrent requests into one (RISKOPS_SCORE_MICROBATCH). */
  microBatch?: boolean;
  observe?: (observation: ScoreObservation) => void;
  /** Failures off the response path (shadow scoring, challenger lookups). */
  onBackgroundError?: (what: string, error: unknown) => void;
  now?: () => Date;
}

/** Where an entity falls in [0, 1): the same entity always gets the same model for a given share. */
export function canaryPoint(useCase: string, entityId: string): number {
  return createHash('sha256').update(`${useCase}\u0000${entityId}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** A plain array copy (`Array.from` on a typed array takes the slow iterator path, several µs per request here). */
function toList(values: Float32Array): number[] {
  const list = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) list[i] = values[i] as number;
  return list;
}

interface Run {
  model: LoadedModel;
  role: DecisionRole;
  indices: number[];
}

/**
 * Validated records in, logged decisions out: picks the deciding model (champion, sticky canary share of the
 * challenger, or a pinned version), scores, explains, writes every decision to the log and only then returns.
 * A shadow challenger scores the same records afterwards and is logged under the same request id.
 */
export function createDecisionEngine(options: DecisionEngineOptions) {
  const now = options.now ?? (() => new Date());
  const background = new Set<Promise<void>>();
  const batcher =
    options.microBatch === true ? createMicroBatcher((m) => m.manifest.onnx.inputWidth) : undefined;
  const challengers = createChallengerCache({
    lookup: options.challenger,
    models: options.models,
    refreshMs: options.refreshMs,
    onError: (useCase, error) => options.onBackgroundError?.(`challenger of ${useCase}`, error),
  });

  const score = async (request: DecideRequest, run: Run, time: Date) => {
    const { useCase } = request;
    const records = run.indices.map((i) => request.records[i] as Record<string, unknown>);
    const matrix = encodeRecords(useCase, run.model, records);
    const probabilities =
      batcher === undefined
        ? await runModel(run.model, matrix, records.length)
        : await batcher.run(run.model, matrix, records.length);
    const scores = toScores(useCase, records, probabilities);
    const resolution = explainerFor(run.model);
    const explanations = resolution.available
      ? explainRecords(useCase, resolution.explainer, records, matrix, { full: request.full === true })
      : null;
    const logged = decisionRecords({
      requestId: request.requestId,
      time,
      useCase,
      model: run.model,
      role: run.role,
      caller: request.caller,
      records,
      scores,
      explanations,
      hmacKey: options.hmacKey as Buffer,
    });
    for (let k = 0; k < logged.length; k++) (logged[k] as { index: number }).index = run.indices[k] as number;
    const decisions = scores.map((s, k): Decision => {
      const decision: Decision = {
        ...s,
        modelVersion: run.model.version,
        decidedBy: run.role,
        reasons: explanations?.[k]?.reasons ?? null,
      };
      if (!resolution.available) decision.reasonsUnavailable = resolution.reason;
      const full = explanations?.[k]?.full;
      if (full !== undefined) decision.explanation = full;
      return decision;
    });
    const observation: ScoreObservation = {
      useCase: useCase.name,
      model: run.model,
      records,
      matrix,
      probabilities: toList(probabilities),
      role: run.role,
    };
    return { decisions, logged, observation };
  };

  const observe = (observation: ScoreObservation): void => {
    try {
      options.observe?.(observation);
    } catch (error) {
      options.onBackgroundError?.('score observer', error);
    }
  };

  const shadow = (request: DecideRequest, challenger: LoadedModel, champion: LoadedModel): void => {
    if (challenger.sha256 === champion.sha256) return;
    const all = request.records.map((_, i) => i);
    const work = (async () => {
      const result = await score(request, { model: challenger, role: 'shadow', indices: all }, now());
      await (options.log as DecisionLog).append(result.logged);
      observe(result.observation);
    })().catch((error: unknown) =>
      options.onBackgroundError?.(`shadow scoring of ${request.useCase.name}`, error),
    );
    background.add(work);
    void work.finally(() => background.delete(work));
  };

  return {
    /**
     * @throws RiskopsError `storage_unavailable` when the decision log cannot be written (nothing is returned),
     * `model_unavailable`, `not_found` (pinned version), `contract_violation`.
     */
    async decide(request: DecideRequest): Promise<{ decisions: Decision[]; servedBy: LoadedModel }> {
      const log = options.log;
      if (log === undefined || options.hmacKey === undefined) {
        throw new RiskopsError(
          'storage_unavailable',
          'No decision log is configured; decisions cannot be recorded',
        );
      }
      const { useCase } = request;
      const name = useCase.name;
      const pinned = request.version !== undefined;
      const main = await options.models.get(name, pinned ? { version: request.version as string } : {});
      const share = pinned ? 0 : (options.canary[name] ?? 0);
      const wantsShadow = !pinned && options.shadow.includes(name);
      const challenger = share > 0 || wantsShadow ? await challengers.get(name) : null;
      const runs: Run[] = [];
      if (challenger !== null && share > 0 && challenger.sha256 !== main.sha256) {
        const canary: number[] = [];
        const rest: number[] = [];
        request.records.forEach((record, i) => {
          const point = canaryPoint(name, String(record[useCase.entityIdField]));
          (point < share ? canary : rest).push(i);
        });
        if (rest.length > 0) runs.push({ model: main, role: 'champion', indices: rest });
        if (canary.length > 0) runs.push({ model: challenger, role: 'canary', indices: canary });
      } else {
        runs.push({
          model: main,
          role: pinned ? 'pinned' : 'champion',
          indices: request.records.map((_, i) => i),
        });
      }
      const time = now();
      const results = await Promise.all(runs.map((run) => score(request, run, time)));
      await log.append(results.flatMap((r) => r.logged));
      const decisions: Decision[] = new Array(request.records.length);
      results.forEach((result, r) => {
        (runs[r] as Run).indices.forEach((index, k) => {
          decisions[index] = result.decisions[k] as Decision;
        });
        observe(result.observation);
      });
      if (wantsShadow && challenger !== null) shadow(request, challenger, main);
      return { decisions, servedBy: runs.length === 1 ? (runs[0] as Run).model : main };
    },

    /** Waits for shadow scoring still running. */
    async drain(): Promise<void> {
      await Promise.allSettled([...background]);
    },
  };
}

export type DecisionEngine = ReturnType<typeof createDecisionEngine>;
