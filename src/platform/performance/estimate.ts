/**
 * Confidence-based performance estimation: before labels arrive, a calibrated model's probabilities say
 * what its AUC and Brier score will be in expectation. With y_i ~ Bernoulli(p_i) independently:
 * E[Brier] = mean p_i(1 − p_i), and the expected AUC is estimated as the ratio of expectations
 * Σ_{i≠j} p_i(1 − p_j)·[s_i > s_j] / Σ_{i≠j} p_i(1 − p_j) (ties count ½) — exact in the limit of many
 * rows, computed in O(n log n) from prefix sums over the sorted scores.
 */

export interface PerformanceEstimate {
  auc: number | null;
  brier: number;
  /** Expected positives, Σ p_i. */
  expectedPositives: number;
}

export function estimatePerformance(probabilities: ArrayLike<number>): PerformanceEstimate {
  const n = probabilities.length;
  const p = Float64Array.from(probabilities).sort();
  let brier = 0;
  let positives = 0;
  let sumSelf = 0;
  for (let i = 0; i < n; i++) {
    const q = p[i] as number;
    brier += q * (1 - q);
    positives += q;
    sumSelf += q * (1 - q);
  }
  const negatives = n - positives;
  // Numerator: each row as a positive (weight p_i) against lower-scored rows as negatives (weight 1 − p_j).
  let numerator = 0;
  let negativesBelow = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    let groupPos = 0;
    let groupNeg = 0;
    while (j < n && p[j] === p[i]) {
      groupPos += p[j] as number;
      groupNeg += 1 - (p[j] as number);
      j++;
    }
    // Within a tie group, pairs (a ≠ b) count ½: Σ_a p_a (groupNeg − (1 − p_a)).
    let tiePairs = 0;
    for (let k = i; k < j; k++) tiePairs += (p[k] as number) * (groupNeg - (1 - (p[k] as number)));
    numerator += groupPos * negativesBelow + 0.5 * tiePairs;
    negativesBelow += groupNeg;
    i = j;
  }
  const denominator = positives * negatives - sumSelf;
  return {
    auc: n < 2 || !(denominator > 0) ? null : numerator / denominator,
    brier: n === 0 ? Number.NaN : brier / n,
    expectedPositives: positives,
  };
}
