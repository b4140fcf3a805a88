/** @module Scaffolding: a new use case's code written from a labeled data file (`riskops use-case new`). */
export {
  type ColumnKind,
  type ColumnRole,
  limits,
  niceCeil,
  type PlannedColumn,
  type ScaffoldPlan,
  snakeCase,
} from './plan.js';
export { type ColumnProfile, type FileProfile, profileRows } from './profile.js';
export { readHeader, readTextRows } from './read.js';
export { observed, pct } from './render-code.js';
export {
  DEFAULT_SAMPLE_ROWS,
  type ScaffoldOptions,
  type ScaffoldResult,
  scaffoldUseCase,
} from './scaffold.js';
export { addToIndex } from './use-case-index.js';
