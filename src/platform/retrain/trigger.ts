/**
 * The retrain trigger (DESIGN decision 8): the drift monitor calls `consider(window)` once per use case and
 * window. A request goes to the retrain queue only when PSI ≥ act (any feature, or the score) in k of the
 * last n windows, the window has at least `minRows` scored rows, no request for this window was sent, and
 * none at all within the cooldown. The message id is deterministic (use case + window), so Service Bus
 * duplicate detection drops a second send even if two monitors race.
 */
import { RiskopsError } from '../errors/index.js';
import type { MessageQueue } from '../messaging/index.js';
import { codeVersion } from '../training/index.js';
import { type AnyUseCase, findUseCase } from '../use-case/index.js';
import {
  type DriftReceipt,
  PSI_ALPHA,
  type RetrainRequest,
  retrainMessageId,
  type WindowSummary,
} from './request.js';
import type { RetrainState } from './state.js';
import { breachesOf, type DriftWindow, DriftWindowSchema, maxPsiOf } from './window.js';

export type TriggerDecision =
  | 'sent'
  | 'stable'
  | 'too_few_rows'
  | 'not_persistent'
  | 'already_requested'
  | 'cooldown'
  | 'duplicate';

export interface TriggerOutcome {
  decision: TriggerDecision;
  useCase: string;
  windowDate: string;
  /** Windows at or above `act` among the last n (this one included). */
  breachedWindows: number;
  persistence: { k: number; n: number };
  /** Set when a request was sent (or found already sent for this window). */
  messageId?: string;
  request?: RetrainRequest;
  /** One line for logs and the CLI. */
  message: string;
}

export interface RetrainTriggerOptions {
  useCases: readonly AnyUseCase[];
  queue: MessageQueue;
  state: RetrainState;
  clock?: () => Date;
}

export interface RetrainTrigger {
  /**
   * Records the window and sends a retrain request when the breach persists outside the cooldown.
   * @throws RiskopsError `invalid_input` naming each bad field of the window; `unknown_use_case`.
   */
  consider(window: DriftWindow): Promise<TriggerOutcome>;
}

export function createRetrainTrigger(options: RetrainTriggerOptions): RetrainTrigger {
  const { queue, state } = options;
  const clock = options.clock ?? (() => new Date());
  const find = (name: string): AnyUseCase => findUseCase(options.useCases, name);

  return {
    async consider(input: DriftWindow): Promise<TriggerOutcome> {
      const parsed = DriftWindowSchema.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        throw new RiskopsError(
          'invalid_input',
          `Invalid drift window: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          { issues },
        );
      }
      const window = parsed.data;
      const useCase = find(window.useCase);
      const { act, watch, minRows, cooldownHours } = useCase.drift;
      const { k, n } = useCase.drift.persistence;
      const breaches = breachesOf(window, act);
      const enoughRows = window.rows >= minRows;
      const summary: WindowSummary = {
        windowDate: window.windowDate,
        modelVersion: window.modelVersion,
        rows: window.rows,
        maxPsi: maxPsiOf(window),
        breaches,
        breached: enoughRows && breaches.length > 0,
      };
      await state.putWindow(useCase.name, summary);
      const recent = await state.recentWindows(useCase.name, window.windowDate, n);
      const breachedWindows = recent.filter((w) => w.breached).length;
      const base = {
        useCase: useCase.name,
        windowDate: window.windowDate,
        breachedWindows,
        persistence: { k, n },
      };
      const outcome = (decision: TriggerDecision, message: string, extra = {}): TriggerOutcome => ({
        decision,
        ...base,
        ...extra,
        message: `${useCase.name} ${window.windowDate}: ${message}`,
      });

      if (breaches.length === 0)
        return outcome('stable', `PSI below ${act} everywhere (max ${summary.maxPsi.toFixed(4)})`);
      if (!enoughRows)
        return outcome(
          'too_few_rows',
          `${window.rows} rows < minRows ${minRows}: reported, never retrained on`,
        );
      if (breachedWindows < k)
        return outcome(
          'not_persistent',
          `PSI ≥ ${act} in ${breachedWindows} of the last ${n} windows (need ${k})`,
        );

      const messageId = retrainMessageId(useCase.name, window.windowDate);
      const sent = await state.requests(useCase.name);
      if (sent.some((r) => r.windowDate === window.windowDate))
        return outcome('already_requested', `a retrain request for this window was already sent`, {
          messageId,
        });
      const now = clock();
      const last = sent
        .map((r) => Date.parse(r.sentAt))
        .reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
      if (now.getTime() - last < cooldownHours * 3_600_000)
        return outcome(
          'cooldown',
          `last request at ${new Date(last).toISOString()} is within the ${cooldownHours} h cooldown`,
        );

      const receipt: DriftReceipt = {
        useCase: useCase.name,
        windowDate: window.windowDate,
        modelVersion: window.modelVersion,
        referenceProfileHash: window.referenceProfileHash,
        rows: window.rows,
        referenceRows: window.referenceRows,
        alpha: PSI_ALPHA,
        thresholds: { watch, act, minRows },
        persistence: { k, n, breachedWindows },
        cooldownHours,
        breaches,
        psi: { features: window.features, score: window.score },
        windows: recent,
        codeVersion: codeVersion(),
      };
      const request: RetrainRequest = {
        requestId: messageId,
        useCase: useCase.name,
        windowDate: window.windowDate,
        requestedAt: now.toISOString(),
        reason: `PSI ≥ ${act} on ${breaches.join(', ')} in ${breachedWindows} of the last ${n} windows`,
        receipt,
      };
      if (
        !(await state.claimRequest(useCase.name, {
          windowDate: window.windowDate,
          messageId,
          sentAt: request.requestedAt,
        }))
      )
        return outcome('already_requested', 'another run claimed this window first', { messageId });
      let accepted: boolean;
      try {
        ({ accepted } = await queue.send({
          messageId,
          body: request,
          subject: useCase.name,
          applicationProperties: {
            useCase: useCase.name,
            windowDate: window.windowDate,
            modelVersion: window.modelVersion,
            maxPsi: summary.maxPsi,
            breachedWindows,
          },
        }));
      } catch (error) {
        await state.releaseRequest(useCase.name, window.windowDate);
        throw error;
      }
      if (!accepted) return outcome('duplicate', 'the queue already holds this message id', { messageId });
      return outcome('sent', `retrain requested (${request.reason})`, { messageId, request });
    },
  };
}
