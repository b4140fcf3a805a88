/**
 * The retrain consumer (behind the `retrain` Service Bus function): for one retrain request, train a
 * challenger on the use case's labeled data with its own settings, gate it against the champion on the
 * same holdout, register it with the drift receipt and data hash in its lineage, and move `challenger`.
 * Promotes to champion only where the use case allows it and the challenger beats the champion by the
 * configured margin; the registry still demands an approval where separation of duties applies.
 * Idempotent per message id: a redelivered request returns the recorded outcome and trains nothing.
 */

import type { ContainerClient } from '@azure/storage-blob';
import { isRiskopsError, RiskopsError } from '../errors/index.js';
import type { GateResult, Manifest, Metrics } from '../model/index.js';
import { openSession, type Registry } from '../registry/index.js';
import {
  type ChampionOptions,
  onnxChampion,
  type TrainUseCaseOptions,
  trainUseCase,
} from '../training/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { loadLabeledBlobs } from './data.js';
import { type RetrainRequest, RetrainRequestSchema } from './request.js';
import type { RetrainState } from './state.js';

/** The ledger's actor for what the consumer does. */
export const RETRAIN_ACTOR = 'riskops-retrain';

export type Promotion = 'promoted' | 'not_allowed' | 'margin_not_met' | 'awaiting_approval';

export type RetrainOutcome =
  | {
      status: 'registered';
      messageId: string;
      useCase: string;
      version: string;
      dataHash: string;
      rows: number;
      auc: number;
      champion: { version: string; auc: number } | null;
      promotion: Promotion;
      message: string;
    }
  | {
      status: 'gate_failed';
      messageId: string;
      useCase: string;
      dataHash: string;
      rows: number;
      reasons: string[];
      metrics: Pick<Metrics, 'auc' | 'brier' | 'ece'>;
      champion: { version: string; auc: number } | null;
      message: string;
    };

export interface RetrainConsumerOptions {
  registry: Registry;
  useCases: readonly AnyUseCase[];
  /** The `training-data` container (`{useCase}/…` labeled files). */
  trainingData: ContainerClient;
  state: RetrainState;
  actor?: string;
  /** Parameter and validation overrides on top of each use case's settings (small instances, tests). */
  training?: Pick<TrainUseCaseOptions, 'params' | 'validation' | 'onProgress'>;
  tempDir?: string;
  clock?: () => Date;
}

export interface RetrainConsumer {
  /**
   * Handles one retrain request. `messageId` is the transport's (Service Bus message id); the body's
   * `requestId` is used when the trigger gives none.
   * @throws RiskopsError `invalid_input` naming bad fields; `data_contract` when the data is unusable.
   */
  handle(
    body: unknown,
    meta?: { messageId?: string | undefined },
  ): Promise<RetrainOutcome & { duplicate: boolean }>;
}

function failedChecks(gate: GateResult): string[] {
  return gate.checks
    .filter((c) => c.enforced && !c.passed)
    .map((c) => `${c.name} ${c.value.toFixed(4)} not ${c.comparator} ${c.threshold.toFixed(4)}`);
}

async function championOf(
  registry: Registry,
  useCase: string,
): Promise<{ version: string; options: ChampionOptions; close(): Promise<void> } | undefined> {
  let version: string;
  try {
    version = await registry.resolve(useCase, 'champion');
  } catch (error) {
    if (isRiskopsError(error, 'not_found')) return undefined;
    throw error;
  }
  const stored = await registry.load(useCase, version);
  const manifest: Manifest = stored.manifest;
  const session = await openSession(stored.bytes, `${useCase} ${version}`);
  return {
    version,
    options: onnxChampion(manifest, session),
    close: () => session.release(),
  };
}

export function createRetrainConsumer(options: RetrainConsumerOptions): RetrainConsumer {
  const { registry, state } = options;
  const actor = options.actor ?? RETRAIN_ACTOR;
  const clock = options.clock ?? (() => new Date());
  const find = (name: string): AnyUseCase => {
    const found = options.useCases.find((u) => u.name === name);
    if (found === undefined) throw new RiskopsError('unknown_use_case', `Unknown use case '${name}'`);
    return found;
  };

  const run = async (messageId: string, request: RetrainRequest): Promise<RetrainOutcome> => {
    const useCase = find(request.useCase);
    const data = await loadLabeledBlobs(options.trainingData, useCase, options.tempDir);
    const champion = await championOf(registry, useCase.name);
    try {
      const result = await trainUseCase(useCase, {
        rows: data.rows,
        source: `${options.trainingData.containerName}/${useCase.name}/ (${data.sources.length} files)`,
        ...(champion === undefined
          ? {}
          : { champion: champion.options, previous: champion.options.manifest }),
        ...options.training,
      });
      const { manifest } = result;
      const championAuc =
        champion !== undefined && result.champion !== undefined && 'auc' in result.champion
          ? { version: champion.version, auc: result.champion.auc }
          : null;
      const common = {
        messageId,
        useCase: useCase.name,
        dataHash: manifest.training.dataHash,
        rows: manifest.training.rows,
        champion: championAuc,
      };
      if (!manifest.gate.passed) {
        const reasons = failedChecks(manifest.gate);
        return {
          status: 'gate_failed',
          ...common,
          reasons,
          metrics: { auc: manifest.metrics.auc, brier: manifest.metrics.brier, ece: manifest.metrics.ece },
          message: `${useCase.name}: challenger failed the gate (${reasons.join('; ')}); no alias moved`,
        };
      }
      const lineage: NonNullable<Manifest['lineage']> = {
        trigger: 'retrain-request',
        requestId: request.requestId,
        receipt: request.receipt,
        dataHash: manifest.training.dataHash,
        dataRows: manifest.training.rows,
        sources: data.sources,
        champion: championAuc,
      };
      const reason = `retrain ${request.requestId}: ${request.reason}`;
      let version: string;
      try {
        version = (
          await registry.push(useCase.name, result.onnx, { ...manifest, lineage }, { actor, reason })
        ).version;
      } catch (error) {
        // A redelivery after a crash between push and record: the same data and seed give the same bytes.
        const existing = isRiskopsError(error, 'conflict') ? error.details.existingVersion : undefined;
        if (typeof existing !== 'string') throw error;
        version = existing;
      }
      const current = await registry.alias(useCase.name, 'challenger');
      if (current?.state.version !== version)
        await registry.promote(useCase.name, version, { alias: 'challenger', actor, reason });

      const policy = useCase.retrain;
      let promotion: Promotion = 'not_allowed';
      if (policy?.autoPromote === true) {
        const margin = policy.promoteMargin;
        if (championAuc !== null && manifest.metrics.auc < championAuc.auc + margin)
          promotion = 'margin_not_met';
        else {
          try {
            await registry.promote(useCase.name, version, {
              actor,
              reason: `auto-promotion: ${reason}; AUC ${manifest.metrics.auc.toFixed(4)} vs champion ${championAuc?.auc.toFixed(4) ?? 'none'} (margin ${margin})`,
            });
            promotion = 'promoted';
          } catch (error) {
            // Separation of duties: without an approval (precondition_failed), or because the consumer pushed
            // this version itself (forbidden), promotion is left to an approver and another promoter.
            if (!isRiskopsError(error, 'precondition_failed') && !isRiskopsError(error, 'forbidden'))
              throw error;
            promotion = 'awaiting_approval';
          }
        }
      }
      return {
        status: 'registered',
        ...common,
        version,
        auc: manifest.metrics.auc,
        promotion,
        message: `${useCase.name}: challenger ${version} registered (AUC ${manifest.metrics.auc.toFixed(4)}${championAuc === null ? '' : ` vs champion ${championAuc.auc.toFixed(4)}`}); promotion: ${promotion}`,
      };
    } finally {
      await champion?.close();
      await data.cleanup();
    }
  };

  return {
    async handle(body, meta = {}) {
      const parsed = RetrainRequestSchema.safeParse(body);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        throw new RiskopsError(
          'invalid_input',
          `Invalid retrain request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          { issues },
        );
      }
      const request = parsed.data;
      const messageId = meta.messageId ?? request.requestId;
      const seen = await state.processed(messageId);
      if (seen?.status === 'done' && seen.outcome !== undefined)
        return { ...(JSON.parse(seen.outcome) as RetrainOutcome), duplicate: true };
      const startedAt = clock().toISOString();
      await state.putProcessed({ messageId, status: 'running', startedAt });
      const outcome = await run(messageId, request);
      await state.putProcessed({
        messageId,
        status: 'done',
        startedAt,
        finishedAt: clock().toISOString(),
        outcome: JSON.stringify(outcome),
      });
      return { ...outcome, duplicate: false };
    },
  };
}
