import { RiskopsError } from '../errors/index.js';
import type { EffectivePolicy } from './policy.js';
import type { Retirement } from './store.js';
import type { ChangeOptions, LedgerEntry, VersionInfo } from './types.js';
import { ActorSchema, checkField, ReasonSchema } from './validation.js';

/** A change whose actor, actor id and reason passed their checks. */
export interface CheckedChange {
  actor: string;
  actorId: string;
  reason: string;
}

/**
 * Checks who and why before anything is written, so a bad actor or reason can never leave an alias moved
 * without its ledger entry.
 * @throws RiskopsError `invalid_input` naming `actor`, `actorId` or `reason`.
 */
export function checkChange(change: ChangeOptions): CheckedChange {
  const actor = checkField(ActorSchema, change.actor, 'actor');
  const actorId = change.actorId === undefined ? actor : checkField(ActorSchema, change.actorId, 'actorId');
  return { actor, actorId, reason: checkField(ReasonSchema, change.reason, 'reason') };
}

/** The 409 for a retired version, saying who retired it, when and why. */
export function sameOrRetired(
  useCase: string,
  version: string,
  doing: string,
  retirement: Retirement,
): RiskopsError {
  return new RiskopsError(
    'conflict',
    `Version ${version} of ${useCase} is retired (by ${retirement.retiredBy} at ${retirement.retiredAt}: ${retirement.reason}) and cannot be ${doing}`,
    { details: { retired: true, version } },
  );
}

/**
 * Separation of duties for a promotion to champion: the promoter is not the pusher, and an approval exists by
 * a third principal (neither the pusher nor the promoter), all compared by principal id.
 * @returns the approval used.
 * @throws RiskopsError `forbidden` when the pusher promotes, `precondition_failed` without a valid approval.
 */
export function checkApproval(
  useCase: string,
  info: VersionInfo,
  promoter: CheckedChange,
  approvals: readonly LedgerEntry[],
  policy: EffectivePolicy,
): LedgerEntry {
  const why = policy.problem === undefined ? '' : ` (${policy.problem})`;
  if (promoter.actorId === info.pushedById) {
    throw new RiskopsError(
      'forbidden',
      `${promoter.actor} pushed ${useCase} ${info.version} and cannot also promote it to champion: separation of duties${why}`,
    );
  }
  const idOf = (e: LedgerEntry) => e.actorId ?? e.actor;
  const valid = approvals.find((a) => idOf(a) !== info.pushedById && idOf(a) !== promoter.actorId);
  if (valid !== undefined) return valid;
  const own = approvals.some((a) => idOf(a) === promoter.actorId);
  throw new RiskopsError(
    'precondition_failed',
    `${useCase} ${info.version} needs an approval by someone other than its pusher (${info.pushedBy})${own ? ' and other than you (the promoter)' : ''} before it can become champion: riskops models approve ${useCase} ${info.version}${why}`,
  );
}
