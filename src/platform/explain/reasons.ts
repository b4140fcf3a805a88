import type { RawValue } from '../features/index.js';
import type { AnyUseCase } from '../use-case/index.js';
import type { ContributionSpace, ModelExplainer } from './types.js';

/** How many adverse reasons a decision carries. */
export const TOP_REASONS = 4;

/** One input's share of a decision, summed over its encoded columns. */
export interface Contribution {
  feature: string;
  value: RawValue;
  contribution: number;
}

export interface Reason extends Contribution {
  text: string;
}

/** A record's explanation: the top adverse reasons, and on request every input's contribution. */
export interface Explanation {
  reasons: Reason[];
  full?: { space: ContributionSpace; baseValue: number; contributions: Contribution[] };
}

function columnSpans(useCase: AnyUseCase): number[] {
  return useCase.features.inputs.map((input) => {
    if (input.kind === 'numeric') return input.missingIndicator ? 2 : 1;
    if (input.kind === 'boolean') return 1;
    return input.categories.length + 1;
  });
}

/**
 * Explains scored records: contributions per encoded column, summed per use-case input, the inputs that pushed
 * the score up most (contribution > 0) as reasons with the use case's texts. `matrix` is what the model scored.
 */
export function explainRecords(
  useCase: AnyUseCase,
  explainer: ModelExplainer,
  records: readonly Record<string, unknown>[],
  matrix: Float32Array,
  options: { full?: boolean } = {},
): Explanation[] {
  const width = useCase.features.width;
  const phi = explainer.contributions(matrix, records.length);
  const spans = columnSpans(useCase);
  const { inputs } = useCase.features;
  return records.map((record, r) => {
    const raw = useCase.features.raw(record);
    const all: Contribution[] = [];
    let column = r * width;
    inputs.forEach((input, i) => {
      let sum = 0;
      for (let k = 0; k < (spans[i] as number); k++) sum += phi[column++] as number;
      all.push({ feature: input.name, value: raw[i] ?? null, contribution: sum });
    });
    const reasons = all
      .filter((c) => c.contribution > 0)
      .sort((a, b) => b.contribution - a.contribution)
      .slice(0, TOP_REASONS)
      .map((c) => ({ ...c, text: reasonText(useCase, c.feature) }));
    const explanation: Explanation = { reasons };
    if (options.full === true) {
      explanation.full = { space: explainer.space, baseValue: explainer.baseValue, contributions: all };
    }
    return explanation;
  });
}

/** The use case's reason text for an input, or its feature description. */
export function reasonText(useCase: AnyUseCase, feature: string): string {
  const text = useCase.reasonTexts?.[feature];
  if (text !== undefined) return text;
  return useCase.features.inputs.find((i) => i.name === feature)?.description ?? feature;
}
