import type { app as azureApp, HttpResponseInit } from '@azure/functions';
import { toErrorBody } from '../errors/index.js';
import type { FunctionDefinition } from './definition.js';

type App = typeof azureApp;

/**
 * Registers definitions with the `@azure/functions` v4 programming model. Services are created on the first
 * invocation (and reused by every later one); `getServices` should throw on invalid settings so a bad
 * setting fails the first call loudly. A failed `getServices` is never cached here: the next invocation
 * asks again (`createRetrying` in runtime decides when to retry), and an HTTP caller gets the error's
 * status (503 while storage is unreachable) rather than a bare 500.
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
          handler: async (request, context): Promise<HttpResponseInit> => {
            let run: Awaited<ReturnType<typeof handler>>;
            try {
              run = await handler();
            } catch (error) {
              context.error(`${definition.name}: the app could not start`, error);
              const { status, body } = toErrorBody(error, context.invocationId);
              return { status, jsonBody: body, headers: { 'retry-after': '5' } };
            }
            return run(request, context);
          },
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

/** The handler, built once services exist; a failure to get them is not remembered. */
function lazyHandler<S, H>(create: (services: S) => H, getServices: () => Promise<S>): () => Promise<H> {
  let handler: H | undefined;
  return async () => {
    handler ??= create(await getServices());
    return handler;
  };
}
