/** @module The use-case contract: what each folder under src/use_cases must export. */
export * from './contract.js';
