import type { Timer } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { isRiskopsError } from '../../src/platform/errors/index.js';
import type { FunctionDefinition } from '../../src/platform/functions/index.js';
import { createLocalHost } from '../../src/platform/host/index.js';
import { testStorage } from '../support/storage.js';
import { captureLogger, startHost, TEST_HOST_CONFIG, type TestServices, waitFor } from './support.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('local host: timers', () => {
  it('fires on a six-field schedule and never runs two instances at once', async () => {
    let running = 0;
    let most = 0;
    const fired: Timer[] = [];
    const tick: FunctionDefinition<TestServices> = {
      kind: 'timer',
      name: 'tick',
      schedule: '*/1 * * * * *',
      create: () => async (timer) => {
        fired.push(timer);
        running++;
        most = Math.max(most, running);
        await sleep(1300);
        running--;
      },
    };
    const { logger } = await startHost([tick]);
    expect(logger.text()).toContain('tick: timer */1 * * * * *');
    await waitFor(() => fired.length >= 2, 6000);
    expect(most).toBe(1);
    expect(logger.text()).toMatch(
      /Timer 'tick' skipped its .* occurrence: the previous invocation is still running/,
    );
    const [first] = fired;
    expect(first?.isPastDue).toBe(false);
    expect(Date.parse(first?.scheduleStatus.next ?? '')).toBeGreaterThan(
      Date.parse(first?.scheduleStatus.last ?? ''),
    );
  });

  it('runs a timer now through the admin API (202), and refuses while it runs (409)', async () => {
    const fired: Timer[] = [];
    let release: () => void = () => undefined;
    const nightly: FunctionDefinition<TestServices> = {
      kind: 'timer',
      name: 'nightlyBatch',
      schedule: '0 0 2 * * *',
      create: () => async (timer) => {
        fired.push(timer);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    };
    const { host } = await startHost([nightly]);
    const post = () =>
      fetch(`${host.url}/admin/functions/nightlyBatch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: '' }),
      });
    expect((await post()).status).toBe(202);
    await waitFor(() => fired.length === 1);
    expect(fired[0]).toMatchObject({ isPastDue: false, schedule: { adjustForDST: true } });
    expect(fired[0]?.scheduleStatus.next).toMatch(/T02:00:00.000Z$/);
    expect((await post()).status).toBe(409);
    release();
    await waitFor(async () => (await post()).status === 202);
    release();
  });

  it('honours runOnStartup and resolves %SETTING% schedules', async () => {
    let runs = 0;
    const definition: FunctionDefinition<TestServices> = {
      kind: 'timer',
      name: 'warmup',
      schedule: '%WARMUP_SCHEDULE%',
      runOnStartup: true,
      create: () => async () => {
        runs++;
      },
    };
    const settings: Record<string, string> = { WARMUP_SCHEDULE: '0 30 4 * * 1-5' };
    const { logger } = await startHost([definition], { setting: (name) => settings[name] });
    await waitFor(() => runs === 1);
    expect(logger.text()).toContain('warmup: timer 0 30 4 * * 1-5');
  });

  it('fails at construction for an unset setting or a five-field schedule', () => {
    const make = (schedule: string) =>
      createLocalHost<TestServices>({
        definitions: [{ kind: 'timer', name: 't', schedule, create: () => async () => undefined }],
        services: { greeting: '' },
        storage: testStorage(),
        hostConfig: TEST_HOST_CONFIG,
        logger: captureLogger(),
        setting: () => undefined,
      });
    for (const schedule of ['%MISSING%', '0 2 * * *']) {
      try {
        make(schedule);
        expect.unreachable();
      } catch (error) {
        expect(isRiskopsError(error, 'invalid_settings')).toBe(true);
      }
    }
  });
});
