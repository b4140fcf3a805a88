import type { Explanation } from '../explain/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import { pseudonymise } from './pii.js';
import type { DecisionRecord, DecisionRole } from './types.js';

export interface DecisionInput {
  requestId: string;
  time: Date;
  useCase: AnyUseCase;
  model: { version: string; sha256: string };
  role: DecisionRole;
  caller: string;
  records: readonly Record<string, unknown>[];
  scores: readonly { entityId: string; probability: number; band: string; action: string }[];
  /** Per record, or null when the model has no explainer. */
  explanations: readonly Explanation[] | null;
  hmacKey: Buffer;
}

/** The log records of one scored request: one per record, PII fields keyed-hashed. */
export function decisionRecords(input: DecisionInput): DecisionRecord[] {
  const time = input.time.toISOString();
  return input.scores.map((score, index) => ({
    requestId: input.requestId,
    index,
    time,
    useCase: input.useCase.name,
    modelVersion: input.model.version,
    modelSha256: input.model.sha256,
    role: input.role,
    entityId: score.entityId,
    inputs: pseudonymise(input.records[index] ?? {}, input.useCase.piiFields, input.hmacKey),
    probability: score.probability,
    band: score.band,
    action: score.action,
    reasons: input.explanations?.[index]?.reasons ?? null,
    caller: input.caller,
  }));
}
