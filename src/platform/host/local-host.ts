import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { settingDefault } from '../config/index.js';
import { RiskopsError } from '../errors/index.js';
import { describeTrigger, type FunctionDefinition } from '../functions/index.js';
import type { StorageClients } from '../storage/index.js';
import type { AdminApi, FunctionInfo, InvokeOutcome } from './admin.js';
import { type HostConfig, serviceBusQueueSettings, storageQueueSettings } from './host-config.js';
import { createHttpServer, type HttpFunction } from './http-server.js';
import { createInvocationTracker } from './invocations.js';
import { createKeyCheck, type HostKeys } from './keys.js';
import { createConsoleLogger, type HostLogger } from './logger.js';
import { triggerInput } from './queue-message.js';
import { createQueuePoller, type QueueFunction, type QueuePoller } from './queue-poller.js';
import { byPrecedence, compileRoute } from './routes.js';
import { createTimerScheduler, resolveSettingRefs, type TimerFunction } from './timers.js';

export interface LocalHostOptions<S> {
  definitions: readonly FunctionDefinition<S>[];
  services: S;
  /** Queue triggers poll these clients' queue service, whatever `connection` setting a definition names. */
  storage: StorageClients;
  hostConfig: HostConfig;
  /** 0 picks a free port (tests). Default 7071, as `func start`. */
  port?: number;
  /** Default 127.0.0.1: keys are not enforced locally, so the host is not exposed to the network. */
  hostname?: string;
  logger?: HostLogger;
  /** Default 1 MiB. */
  maxRequestBytes?: number;
  /** How long `stop()` waits for running invocations. Default 30 s. */
  drainTimeoutMs?: number;
  /** How long a fetched queue message stays hidden while it runs (renewed at half). Default 600, as the host. */
  messageLeaseSeconds?: number;
  /** First polling back-off step of an empty queue. Default 100 ms. */
  minPollingIntervalMs?: number;
  /** Function and master keys, enforced as Azure does when any is set (`x-functions-key` or `?code=`). */
  keys?: HostKeys;
  /** Resolves `%NAME%` in schedules and queue names. Default: `process.env`, then the setting's default. */
  setting?: (name: string) => string | undefined;
}

export interface LocalHost {
  /** `http://localhost:<port>`; available after `start()`. */
  readonly url: string;
  /** One line per function, as printed at start. */
  listing(): string[];
  start(): Promise<void>;
  /** Stops timers, queue polling and new HTTP requests, then drains running invocations. */
  stop(): Promise<void>;
}

type State = 'Created' | 'Running' | 'Stopping' | 'Stopped';

/** After draining, how long kept-alive clients get to close their sockets before the host closes them. */
const CLOSE_GRACE_MS = 300;

/**
 * The stand-in for `func start`: runs the same function definitions that `functions/index.ts` registers with
 * Azure Functions — HTTP on /api, timers on their NCRONTAB schedules, storage queue triggers on Azurite, and
 * Service Bus queue triggers on an Azurite queue of the same name (no Service Bus emulator runs here).
 * Each definition's handler is created once, at construction.
 * @throws RiskopsError `invalid_settings` for duplicate names, bad routes or schedules, unset `%SETTING%`s.
 */
export function createLocalHost<S>(options: LocalHostOptions<S>): LocalHost {
  const { definitions, services, storage, hostConfig } = options;
  const logger = options.logger ?? createConsoleLogger();
  const lookup = options.setting ?? ((name: string) => process.env[name] ?? settingDefault(name));
  const invocations = createInvocationTracker(logger, hostConfig);
  const keys = createKeyCheck(options.keys);
  const names = new Set<string>();
  for (const d of definitions) {
    if (names.has(d.name.toLowerCase()))
      throw new RiskopsError('invalid_settings', `Two functions are named '${d.name}'`);
    names.add(d.name.toLowerCase());
  }

  const http: HttpFunction[] = [];
  const timers: TimerFunction[] = [];
  const queues: QueueFunction[] = [];
  for (const d of definitions) {
    if (d.kind === 'http') {
      const { name, methods, authLevel } = d;
      http.push({ name, methods, authLevel, route: compileRoute(d.route), handler: d.create(services) });
    } else if (d.kind === 'timer') {
      const schedule = resolveSettingRefs(d.schedule, lookup, `Timer '${d.name}' schedule`);
      timers.push({
        name: d.name,
        schedule,
        runOnStartup: d.runOnStartup ?? false,
        handler: d.create(services),
      });
    } else {
      const queueName = resolveSettingRefs(d.queueName, lookup, `Function '${d.name}' queue name`);
      const settings =
        d.kind === 'storageQueue' ? storageQueueSettings(hostConfig) : serviceBusQueueSettings(hostConfig);
      queues.push({ name: d.name, kind: d.kind, queueName, handler: d.create(services), settings });
    }
  }
  http.sort((a, b) => byPrecedence(a.route, b.route));
  const scheduler = createTimerScheduler(timers, invocations, logger);
  const pollers: QueuePoller[] = queues.map((fn) =>
    createQueuePoller({
      fn,
      queue: storage.queue(fn.queueName),
      poisonQueue: storage.queue(`${fn.queueName}-poison`),
      invocations,
      logger,
      leaseSeconds: options.messageLeaseSeconds ?? 600,
      minPollingIntervalMs: options.minPollingIntervalMs ?? 100,
    }),
  );

  let state: State = 'Created';
  let baseUrl: string | undefined;
  const startedAt = new Date();
  const hostId = randomUUID();

  const info = (): FunctionInfo[] =>
    definitions.map((d) => {
      const base = baseUrl ?? `http://localhost:${options.port ?? 7071}`;
      if (d.kind === 'http') {
        const { name, kind, authLevel, methods } = d;
        const trigger = `${describeTrigger(d, base)} (authLevel: ${authLevel}${keys.enforced ? '' : ', keys not enforced locally'})`;
        return { name, kind, trigger, authLevel, methods, invokeUrlTemplate: `${base}/api/${d.route}` };
      }
      if (d.kind === 'timer') {
        const schedule = timers.find((t) => t.name === d.name)?.schedule ?? d.schedule;
        return { name: d.name, kind: d.kind, trigger: describeTrigger({ ...d, schedule }), schedule };
      }
      const queueName = queues.find((q) => q.name === d.name)?.queueName ?? d.queueName;
      const trigger = describeTrigger({ ...d, queueName });
      return {
        name: d.name,
        kind: d.kind,
        trigger:
          d.kind === 'serviceBusQueue' ? `${trigger} (locally: Azurite storage queue ${queueName})` : trigger,
        queueName,
      };
    });

  const invoke = (name: string, input: string | undefined): InvokeOutcome => {
    const definition = definitions.find((d) => d.name === name);
    if (definition === undefined) return 'not_found';
    if (definition.kind === 'http') return 'http';
    if (definition.kind === 'timer') return scheduler.runNow(name) ? 'started' : 'busy';
    const fn = queues.find((q) => q.name === name);
    if (fn === undefined) return 'not_found';
    const text = input ?? '';
    const now = new Date().toISOString();
    const message = triggerInput(fn.kind, text);
    const work = invocations.run(
      {
        functionName: name,
        triggerType: fn.kind === 'storageQueue' ? 'queueTrigger' : 'serviceBusTrigger',
        reason: 'This function was programmatically called via the host APIs.',
        triggerMetadata: {
          id: randomUUID(),
          dequeueCount: 1,
          insertionTime: now,
          queueTrigger: text,
          ...message.metadata,
        },
      },
      (context) => fn.handler(message.input, context),
    );
    void work.catch(() => undefined);
    return 'started';
  };

  const admin: AdminApi = {
    functions: info,
    invoke,
    status: () => ({
      id: hostId,
      state,
      version: '4.x (riskops local host)',
      processUptime: Date.now() - startedAt.getTime(),
      activeInvocations: invocations.active,
      functions: definitions.length,
    }),
  };

  const server = createHttpServer({
    functions: http,
    admin,
    invocations,
    logger,
    maxRequestBytes: options.maxRequestBytes ?? 1_048_576,
    stopping: () => state !== 'Running',
    keys,
  });

  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });

  const host: LocalHost = {
    get url() {
      if (baseUrl === undefined) throw new Error('The local host has not started');
      return baseUrl;
    },
    listing: () => info().map((f) => `${f.name}: ${f.trigger}`),
    async start() {
      if (state !== 'Created') throw new Error(`The local host cannot start when ${state}`);
      server.listen(options.port ?? 7071, options.hostname ?? '127.0.0.1');
      await once(server, 'listening');
      baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
      state = 'Running';
      logger.log(
        'info',
        `Functions:\n\n${host
          .listing()
          .map((line) => `  ${line}`)
          .join('\n')}\n`,
      );
      scheduler.start();
      for (const poller of pollers) poller.start();
    },
    async stop() {
      if (state !== 'Running') return;
      state = 'Stopping';
      logger.log('info', 'Stopping the host: no new invocations; draining the running ones.');
      scheduler.stop();
      // The listener stays open while draining: a request on a kept-alive socket gets a 503 with
      // `connection: close` instead of a reset, and every response now says `connection: close`.
      await Promise.all(pollers.map((p) => p.stop()));
      const drainMs = options.drainTimeoutMs ?? 30_000;
      if (!(await invocations.drain(drainMs))) {
        logger.log(
          'warn',
          `${invocations.active} invocation(s) still running after ${drainMs} ms; abandoning them.`,
        );
        for (const poller of pollers) poller.abandon();
        server.closeAllConnections();
      }
      // Give clients a moment to see `connection: close` and hang up themselves; then close what is left.
      const quietUntil = Date.now() + CLOSE_GRACE_MS;
      while (connections.size > 0 && Date.now() < quietUntil) await sleep(20);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 1000);
      await closed;
      clearTimeout(force);
      state = 'Stopped';
      logger.log('info', 'Host stopped.');
    },
  };
  return host;
}
