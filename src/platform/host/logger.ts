import { format } from 'node:util';
import type { LogLevel } from '@azure/functions';
import type { HostConfig, HostLogLevel } from './host-config.js';

export type HostLogSeverity = 'debug' | 'info' | 'warn' | 'error';

/** Where the local host writes: its own lines and every `context.log` of the functions it runs. */
export interface HostLogger {
  log(severity: HostLogSeverity, message: string): void;
}

const RANK: Record<HostLogSeverity, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Writes `[time] message` lines to stdout (stderr for warnings and errors), like `func start`. */
export function createConsoleLogger(minimum: HostLogSeverity = 'info'): HostLogger {
  return {
    log(severity, message) {
      if (RANK[severity] < RANK[minimum]) return;
      const line = `[${new Date().toISOString()}] ${message}`;
      if (severity === 'error') console.error(line);
      else if (severity === 'warn') console.warn(line);
      else console.log(line);
    },
  };
}

/** Drops everything; for tests that only look at behaviour. */
export const SILENT_LOGGER: HostLogger = { log() {} };

const FUNCTION_LEVEL: Record<Exclude<LogLevel, 'none'>, HostLogSeverity> = {
  trace: 'debug',
  debug: 'debug',
  information: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'error',
};

const HOST_RANK: Record<HostLogLevel, number> = {
  Trace: 0,
  Debug: 1,
  Information: 2,
  Warning: 3,
  Error: 4,
  Critical: 5,
  None: 6,
};
const CONTEXT_RANK: Record<LogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};

/**
 * The `logHandler` of an InvocationContext: filtered by host.json `logging.logLevel` (`Function.<name>`,
 * then `Function`, then `default`), as the real host filters function logs.
 */
export function functionLogHandler(
  logger: HostLogger,
  config: HostConfig,
  functionName: string,
): (level: LogLevel, ...args: unknown[]) => void {
  const levels = config.logging.logLevel;
  const minimum = levels[`Function.${functionName}`] ?? levels.Function ?? levels.default ?? 'Information';
  return (level, ...args) => {
    if (level === 'none' || CONTEXT_RANK[level] < HOST_RANK[minimum]) return;
    logger.log(FUNCTION_LEVEL[level], `[${functionName}] ${format(...args)}`);
  };
}
