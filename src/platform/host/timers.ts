import type { Timer } from '@azure/functions';
import { Cron, type CronOptions } from 'croner';
import { RiskopsError } from '../errors/index.js';
import type { TimerHandler } from '../functions/index.js';
import type { InvocationTracker } from './invocations.js';
import type { HostLogger } from './logger.js';

/** A timer function ready to schedule: its resolved NCRONTAB schedule and its handler. */
export interface TimerFunction {
  name: string;
  schedule: string;
  runOnStartup: boolean;
  handler: TimerHandler;
}

export interface TimerScheduler {
  /** Schedules every timer and fires the `runOnStartup` ones once. */
  start(): void;
  /** Cancels every schedule; invocations already running are left to the host's drain. */
  stop(): void;
  /** Fires a timer now (admin API). False when an invocation of it is still running (singleton). */
  runNow(name: string): boolean;
}

/**
 * NCRONTAB as Azure Functions reads it: six fields (seconds first), in UTC (Flex Consumption has no
 * WEBSITE_TIME_ZONE), and day-of-month AND day-of-week must both match, as in NCrontab.
 */
const CRON_OPTIONS: CronOptions = { mode: '6-part', timezone: 'UTC', domAndDow: true };

/** A late fire by more than this counts as past due. */
const PAST_DUE_MS = 1000;

/**
 * Replaces `%NAME%` references with settings, as the real host does for trigger properties.
 * @throws RiskopsError `invalid_settings` when a referenced setting is not set.
 */
export function resolveSettingRefs(
  text: string,
  lookup: (name: string) => string | undefined,
  what: string,
): string {
  return text.replace(/%([^%\s]+)%/g, (_, name: string) => {
    const value = lookup(name);
    if (value === undefined || value === '') {
      throw new RiskopsError('invalid_settings', `${what} refers to setting '${name}', which is not set`);
    }
    return value;
  });
}

/**
 * Checks a six-field NCRONTAB schedule.
 * @throws RiskopsError `invalid_settings` naming the function.
 */
export function checkSchedule(name: string, schedule: string): void {
  try {
    new Cron(schedule, CRON_OPTIONS);
  } catch (error) {
    throw new RiskopsError(
      'invalid_settings',
      `Timer '${name}' has an invalid schedule '${schedule}' (six-field NCRONTAB, seconds first): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Runs timer functions on their schedules, never two invocations of one timer at once. */
export function createTimerScheduler(
  timers: readonly TimerFunction[],
  invocations: InvocationTracker,
  logger: HostLogger,
): TimerScheduler {
  for (const timer of timers) checkSchedule(timer.name, timer.schedule);
  const jobs: Cron[] = [];
  const running = new Set<string>();
  const lastRun = new Map<string, Date>();

  const fire = (timer: TimerFunction, scheduledAt: Date, reason: string): boolean => {
    if (running.has(timer.name)) return false;
    running.add(timer.name);
    const calculator = new Cron(timer.schedule, CRON_OPTIONS);
    const next = calculator.nextRun(new Date(Math.max(Date.now(), scheduledAt.getTime())));
    const previous = lastRun.get(timer.name) ?? calculator.previousRuns(1, scheduledAt)[0];
    const info: Timer = {
      isPastDue: Date.now() - scheduledAt.getTime() > PAST_DUE_MS,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: (previous ?? scheduledAt).toISOString(),
        next: (next ?? scheduledAt).toISOString(),
        lastUpdated: new Date().toISOString(),
      },
    };
    lastRun.set(timer.name, scheduledAt);
    const work = invocations.run(
      { functionName: timer.name, triggerType: 'timerTrigger', reason },
      (context) => timer.handler(info, context),
    );
    void work.then(
      () => running.delete(timer.name),
      () => running.delete(timer.name),
    );
    return true;
  };

  return {
    start() {
      for (const timer of timers) {
        const job = new Cron(timer.schedule, CRON_OPTIONS, (self) => {
          const scheduledAt = self.currentRun() ?? new Date();
          if (!fire(timer, scheduledAt, `Timer fired at ${scheduledAt.toISOString()}`)) {
            logger.log(
              'warn',
              `Timer '${timer.name}' skipped its ${scheduledAt.toISOString()} occurrence: the previous invocation is still running (singleton lock).`,
            );
          }
        });
        jobs.push(job);
        if (timer.runOnStartup) fire(timer, new Date(), 'Timer fired at startup (runOnStartup)');
      }
    },
    stop() {
      for (const job of jobs.splice(0)) job.stop();
    },
    runNow(name) {
      const timer = timers.find((t) => t.name === name);
      if (timer === undefined) return false;
      return fire(timer, new Date(), 'This function was programmatically called via the host APIs.');
    },
  };
}
