import type { app as azureApp } from '@azure/functions';
import type { FunctionDefinition } from './definition.js';

type App = typeof azureApp;

/**
 * Registers definitions with the `@azure/functions` v4 programming model. Services are created on the first
 * invocation (and reused by every later one); `getServices` should throw on invalid settings so a bad
 * setting fails the first call loudly.
 */
export function registerFunctions<S>(
  app: App,
  definitions: readonly FunctionDefinition<S>[],
  getServices: () => Promise<S>,
): void {
  for (const definition of definitions) {
    switch (definition.kind) {
      case 'http': {
        const handler = lazyHandler(definition.create, getServices);
        app.http(definition.name, {
          route: definition.route,
          methods: [...definition.methods],
          authLevel: definition.authLevel,
          handler: async (request, context) => (await handler())(request, context),
        });
        break;
      }
      case 'timer': {
        const handler = lazyHandler(definition.create, getServices);
        app.timer(definition.name, {
          schedule: definition.schedule,
          runOnStartup: definition.runOnStartup ?? false,
          handler: async (timer, context) => (await handler())(timer, context),
        });
        break;
      }
      case 'storageQueue': {
        const handler = lazyHandler(definition.create, getServices);
        app.storageQueue(definition.name, {
          queueName: definition.queueName,
          connection: definition.connection,
          handler: async (message, context) => (await handler())(message, context),
        });
        break;
      }
      case 'serviceBusQueue': {
        const handler = lazyHandler(definition.create, getServices);
        app.serviceBusQueue(definition.name, {
          queueName: definition.queueName,
          connection: definition.connection,
          handler: async (message, context) => (await handler())(message, context),
        });
        break;
      }
    }
  }
}

function lazyHandler<S, H>(create: (services: S) => H, getServices: () => Promise<S>): () => Promise<H> {
  let handler: Promise<H> | undefined;
  return () => {
    handler ??= getServices().then(create);
    return handler;
  };
}
