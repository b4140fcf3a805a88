/** @module Function definitions written once, registered with @azure/functions and run by the local host. */
export * from './definition.js';
export { registerFunctions } from './register.js';
