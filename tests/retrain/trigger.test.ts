import { describe, expect, it } from 'vitest';
import { createStorageQueueMessaging, type MessageQueue } from '../../src/platform/messaging/index.js';
import {
  createRetrainState,
  createRetrainTrigger,
  type DriftWindow,
  RetrainRequestSchema,
} from '../../src/platform/retrain/index.js';
import { latePayment } from '../../src/use_cases/late_payment/index.js';
import { testStorage, uniqueName } from '../support/storage.js';

/** A window of late_payment (act 0.2, 2 of 3, minRows 500, cooldown 72 h) with the given PSI on one feature. */
function window(date: string, psi: number, rows = 1000): DriftWindow {
  return {
    useCase: 'late_payment',
    windowDate: date,
    modelVersion: '20261122T081500Z-3fa1c2aabbcc',
    referenceProfileHash: 'ab'.repeat(32),
    rows,
    referenceRows: 28_000,
    features: {
      prior_late_rate: {
        psi,
        bins: 11,
        criticalValue: 0.017,
        counts: [90, 100, 110, 95, 105, 100, 100, 100, 100, 100, 0],
      },
      amount: { psi: 0.01, bins: 11 },
    },
    score: { psi: psi / 2, bins: 11 },
  };
}

function setup(start = '2026-12-01T06:00:00Z') {
  const storage = testStorage();
  const queue: MessageQueue = createStorageQueueMessaging({
    queue: storage.queue(uniqueName('retrain')),
    dedupeTable: storage.table(uniqueName('dedupe')),
  });
  const clock = { now: new Date(start) };
  const trigger = createRetrainTrigger({
    useCases: [latePayment],
    queue,
    state: createRetrainState(storage.table(uniqueName('retrainstate'))),
    clock: () => clock.now,
  });
  const drain = async () => {
    const messages = await queue.receive({ maxMessages: 32, maxWaitMs: 300 });
    for (const m of messages) await queue.complete(m);
    return messages;
  };
  return { trigger, queue, clock, drain };
}

describe('retrain trigger: k of n, minRows, cooldown, one message per window', () => {
  it('sends nothing when only 1 of the last 3 windows breached', async () => {
    const { trigger, drain } = setup();
    expect((await trigger.consider(window('2026-11-28', 0.05))).decision).toBe('stable');
    expect((await trigger.consider(window('2026-11-29', 0.35))).decision).toBe('not_persistent');
    const third = await trigger.consider(window('2026-11-30', 0.12));
    expect(third).toMatchObject({ decision: 'stable', breachedWindows: 1, persistence: { k: 2, n: 3 } });
    expect(await drain()).toEqual([]);
  });

  it('sends one request with the drift receipt when 2 of the last 3 breached; re-running the window sends no second', async () => {
    const { trigger, drain } = setup();
    await trigger.consider(window('2026-11-28', 0.25));
    await trigger.consider(window('2026-11-29', 0.04));
    const outcome = await trigger.consider(window('2026-11-30', 0.31));
    expect(outcome.decision).toBe('sent');
    expect(outcome.messageId).toBe('retrain:late_payment:2026-11-30');
    const [message, ...more] = await drain();
    expect(more).toEqual([]);
    expect(message?.messageId).toBe('retrain:late_payment:2026-11-30');
    expect(message?.applicationProperties).toMatchObject({
      useCase: 'late_payment',
      windowDate: '2026-11-30',
    });
    const request = RetrainRequestSchema.parse(message?.body);
    expect(request.receipt).toMatchObject({
      referenceProfileHash: 'ab'.repeat(32),
      modelVersion: '20261122T081500Z-3fa1c2aabbcc',
      rows: 1000,
      referenceRows: 28_000,
      alpha: 0.5,
      thresholds: { watch: 0.1, act: 0.2, minRows: 500 },
      persistence: { k: 2, n: 3, breachedWindows: 2 },
      cooldownHours: 72,
      breaches: ['prior_late_rate'],
    });
    expect(request.receipt.psi.features.prior_late_rate?.counts).toHaveLength(11);
    expect(request.receipt.windows.map((w) => [w.windowDate, w.breached])).toEqual([
      ['2026-11-30', true],
      ['2026-11-29', false],
      ['2026-11-28', true],
    ]);
    expect(request.receipt.codeVersion).toMatch(/^riskops@/);

    const again = await trigger.consider(window('2026-11-30', 0.31));
    expect(again.decision).toBe('already_requested');
    expect(await drain()).toEqual([]);
  });

  it('holds the cooldown after a request, and sends again once it has passed', async () => {
    const { trigger, clock, drain } = setup();
    await trigger.consider(window('2026-11-28', 0.3));
    expect((await trigger.consider(window('2026-11-29', 0.3))).decision).toBe('sent');
    clock.now = new Date('2026-12-02T06:00:00Z'); // 24 h later: inside 72 h
    const held = await trigger.consider(window('2026-11-30', 0.4));
    expect(held.decision).toBe('cooldown');
    clock.now = new Date('2026-12-04T06:00:01Z'); // 72 h and a second later
    expect((await trigger.consider(window('2026-12-01', 0.4))).decision).toBe('sent');
    expect((await drain()).map((m) => m.messageId)).toEqual([
      'retrain:late_payment:2026-11-29',
      'retrain:late_payment:2026-12-01',
    ]);
  });

  it('never retrains on windows below minRows, and names bad fields of a window', async () => {
    const { trigger, drain } = setup();
    await trigger.consider(window('2026-11-29', 0.5, 100));
    const small = await trigger.consider(window('2026-11-30', 0.5, 499));
    expect(small).toMatchObject({ decision: 'too_few_rows', breachedWindows: 0 });
    expect(await drain()).toEqual([]);
    await expect(
      trigger.consider({ ...window('2026-11-30', 0.5), windowDate: '30.11.2026' }),
    ).rejects.toThrow(/windowDate/);
    await expect(trigger.consider({ ...window('2026-11-30', 0.5), score: { psi: -1 } })).rejects.toThrow(
      /score\.psi/,
    );
    await expect(trigger.consider({ ...window('2026-11-30', 0.5), useCase: 'nope' })).rejects.toThrow(
      /Unknown use case/,
    );
  });
});
