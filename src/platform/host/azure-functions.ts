import azureFunctions from '@azure/functions';

/**
 * The `@azure/functions` classes the host constructs. The package is a CommonJS bundle whose class exports
 * Node's ESM loader cannot detect (`import { HttpRequest } from '@azure/functions'` fails outside vitest),
 * so they are taken from the default export.
 */
export const { HttpRequest, HttpResponse, InvocationContext } = azureFunctions;
