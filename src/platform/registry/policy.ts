import { RiskopsError } from '../errors/index.js';
import { parseJsonDocument, readBlobWithEtag, writeJsonBlobIf } from './blobs.js';
import type { Ledger } from './ledger.js';
import { INTENT_GRACE_MS } from './moves.js';
import type { VersionStore } from './store.js';
import { type ChangeOptions, type LedgerEntry, type Policy, PolicySchema } from './types.js';

/** The ledger actor of the policy written when a use case has none yet. */
export const POLICY_SEED_ACTOR = 'riskops-policy-seed';

/** The approval policy in force for a use case, and whether it is what the ledger says it should be. */
export interface EffectivePolicy {
  requireApproval: boolean;
  policy: Policy | null;
  /** Set when the stored policy is missing, corrupt or does not match the ledger: approval is then required. */
  problem?: string;
}

export interface PoliciesOptions {
  store: VersionStore;
  ledger: Ledger;
  clock: () => Date;
  /** What a use case's first policy says (from the use case, RISKOPS_REQUIRE_APPROVAL, or `true` in Azure). */
  initial: (useCase: string) => { requireApproval: boolean; why: string };
}

/**
 * Per use case approval policy, `{useCase}/policy.json`, changed only through `set` (an audited command):
 * each change is a `policy` ledger entry first, then an ETag-guarded blob write naming that entry. A blob that
 * does not match the newest policy entry in the ledger (edited outside the command) fails closed.
 */
export function createPolicies(options: PoliciesOptions) {
  const { store, ledger, clock } = options;

  const write = async (
    useCase: string,
    requireApproval: boolean,
    change: ChangeOptions & { actorId: string },
    etag: string | null,
  ): Promise<{ policy: Policy; entry: LedgerEntry } | null> => {
    const entry = await ledger.append(useCase, {
      action: 'policy',
      version: '',
      requireApproval,
      actor: change.actor,
      actorId: change.actorId,
      reason: change.reason,
    });
    const policy: Policy = {
      requireApproval,
      changedAt: clock().toISOString(),
      changedBy: change.actor,
      changedById: change.actorId,
      reason: change.reason,
      entryId: entry.id,
    };
    if ((await writeJsonBlobIf(await store.policyBlob(useCase), policy, etag)) !== null)
      return { policy, entry };
    await ledger.append(useCase, {
      action: 'abort',
      version: '',
      ref: entry.id,
      actor: change.actor,
      actorId: change.actorId,
      reason: 'the policy changed while this change was in flight; it was not applied',
    });
    return null;
  };

  const policies = {
    /** The policy in force; seeds the first one (a ledger entry and the blob) when the use case has none. */
    async effective(useCase: string): Promise<EffectivePolicy> {
      for (let attempt = 0; attempt < 3; attempt++) {
        const read = await readBlobWithEtag(await store.policyBlob(useCase));
        if (read === null) {
          const initial = options.initial(useCase);
          const seeded = await write(
            useCase,
            initial.requireApproval,
            {
              actor: POLICY_SEED_ACTOR,
              actorId: POLICY_SEED_ACTOR,
              reason: `initial policy: ${initial.why}`,
            },
            null,
          );
          if (seeded !== null)
            return { requireApproval: seeded.policy.requireApproval, policy: seeded.policy };
          continue;
        }
        const parsed = parseJsonDocument(read.bytes, PolicySchema);
        if (!parsed.ok) {
          return {
            requireApproval: true,
            policy: null,
            problem: `${useCase}/policy.json is ${parsed.problem}`,
          };
        }
        const policy = parsed.value;
        const recorded = await ledger.policies(useCase);
        const index = recorded.findIndex((e) => e.id === policy.entryId);
        const own = recorded[index];
        // Newer changes than the blob's may still be landing (or lost a race and are about to be aborted).
        const stale = recorded
          .slice(0, Math.max(index, 0))
          .some((e) => clock().getTime() - Date.parse(e.at) >= INTENT_GRACE_MS);
        if (own === undefined || own.requireApproval !== policy.requireApproval || stale) {
          return {
            requireApproval: true,
            policy,
            problem: `${useCase}/policy.json does not match the newest policy entry in the ledger (changed outside riskops models policy, or a change did not finish); approval is required until the policy is set again`,
          };
        }
        return { requireApproval: policy.requireApproval, policy };
      }
      throw new RiskopsError('conflict', `The policy of ${useCase} keeps changing; try again`);
    },

    /**
     * Sets whether promotion to champion needs an approval. Replaces a corrupt or mismatched blob too.
     * @throws RiskopsError `conflict` when another change landed first.
     */
    async set(
      useCase: string,
      requireApproval: boolean,
      change: ChangeOptions & { actorId: string },
    ): Promise<{ policy: Policy; entry: LedgerEntry }> {
      const read = await readBlobWithEtag(await store.policyBlob(useCase));
      const written = await write(useCase, requireApproval, change, read?.etag ?? null);
      if (written === null)
        throw new RiskopsError(
          'conflict',
          `The policy of ${useCase} changed while this change was in flight; nothing was changed`,
        );
      return written;
    },
  };
  return policies;
}

export type Policies = ReturnType<typeof createPolicies>;
