import type { DriftReport, QuantityDrift } from '../drift/index.js';
import type { DriftWindow } from './window.js';

function psiOf(quantity: QuantityDrift): DriftWindow['score'] {
  return {
    psi: Math.max(0, quantity.psi),
    bins: quantity.bins.labels.length,
    ...(quantity.critical === null ? {} : { criticalValue: quantity.critical }),
    counts: quantity.bins.current.map((c) => Math.max(0, Math.round(c))),
  };
}

/** The drift monitor's report, as the retrain trigger reads a window (the one place the two shapes meet). */
export function driftWindowOf(report: DriftReport): DriftWindow {
  return {
    useCase: report.useCase,
    windowDate: report.date,
    modelVersion: report.modelVersion,
    referenceProfileHash: report.referenceHash,
    rows: report.rows,
    referenceRows: report.referenceRows,
    features: Object.fromEntries(report.features.map((f) => [f.name, psiOf(f)])),
    score: psiOf(report.score),
  };
}
