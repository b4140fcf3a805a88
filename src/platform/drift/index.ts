/** @module Drift: frozen decile bins, mergeable counts from scoring, PSI and friends, the drift run and its report. */
export * from './bins.js';
export { renderDriftReport } from './html.js';
export * from './layout.js';
export { binLabels, jensenShannonDistance, quantityDrift } from './metrics.js';
export * from './monitor.js';
export * from './psi.js';
export * from './recorder.js';
export * from './reference.js';
export * from './report.js';
export * from './report-store.js';
export * from './store.js';
export { formatDriftTable } from './text.js';
