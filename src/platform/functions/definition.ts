import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type AuthLevel = 'anonymous' | 'function' | 'admin';

export type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
export type TimerHandler = (timer: Timer, context: InvocationContext) => Promise<void>;
export type MessageHandler = (message: unknown, context: InvocationContext) => Promise<void>;

/**
 * One function, written once: its trigger settings and a factory that builds its handler from the app's
 * services. `functions/index.ts` registers it with `@azure/functions`; the local host reads the same object,
 * so the two can never disagree.
 */
export type FunctionDefinition<S> =
  | {
      kind: 'http';
      name: string;
      route: string;
      methods: readonly HttpMethod[];
      authLevel: AuthLevel;
      create: (services: S) => HttpHandler;
    }
  | {
      kind: 'timer';
      name: string;
      /** Six-field NCRONTAB (seconds first), as Azure Functions uses; may name a setting as `%NAME%`. */
      schedule: string;
      runOnStartup?: boolean;
      create: (services: S) => TimerHandler;
    }
  | {
      kind: 'storageQueue';
      name: string;
      queueName: string;
      /** Name of the setting holding the storage connection (its prefix for identity-based connections). */
      connection: string;
      create: (services: S) => MessageHandler;
    }
  | {
      kind: 'serviceBusQueue';
      name: string;
      queueName: string;
      connection: string;
      create: (services: S) => MessageHandler;
    };

export type HttpDefinition<S> = Extract<FunctionDefinition<S>, { kind: 'http' }>;
export type TimerDefinition<S> = Extract<FunctionDefinition<S>, { kind: 'timer' }>;
export type StorageQueueDefinition<S> = Extract<FunctionDefinition<S>, { kind: 'storageQueue' }>;
export type ServiceBusQueueDefinition<S> = Extract<FunctionDefinition<S>, { kind: 'serviceBusQueue' }>;

/** A short human description of a definition's trigger, for the host's start-up listing. */
export function describeTrigger<S>(
  definition: FunctionDefinition<S>,
  baseUrl = 'http://localhost:7071',
): string {
  switch (definition.kind) {
    case 'http':
      return `[${definition.methods.join(',')}] ${baseUrl}/api/${definition.route}`;
    case 'timer':
      return `timer ${definition.schedule}`;
    case 'storageQueue':
      return `storage queue ${definition.queueName}`;
    case 'serviceBusQueue':
      return `service bus queue ${definition.queueName}`;
  }
}
