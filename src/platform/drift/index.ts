/** @module Drift: frozen decile bins, mergeable counts and PSI as this project defines it. */
export * from './bins.js';
export * from './psi.js';
export * from './reference.js';
