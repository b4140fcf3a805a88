import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRiskopsError } from '../errors/index.js';
import type { Registry } from './registry.js';

export const SEED_REASON = 'seeded from models/';

/** What seeding did for one use case. */
export interface SeedOutcome {
  useCase: string;
  /** `pushed`: new version; `registered`: those bytes were already there; `absent`: no files to seed from. */
  status: 'pushed' | 'registered' | 'absent';
  version?: string;
  promoted: boolean;
}

async function readIfPresent(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * On start: pushes each `{dir}/{useCase}/model.onnx` + `manifest.json`, and (outside Azure) makes it champion
 * when the use case has none yet. Idempotent, also across instances starting together: already registered bytes are
 * skipped, and of two instances seeding the same champion one write wins and the other steps aside.
 */
export async function seedRegistryFromDirectory(
  registry: Registry,
  dir: string,
  useCases: readonly string[],
  options: { actor?: string } = {},
): Promise<SeedOutcome[]> {
  const actor = options.actor ?? 'riskops-seed';
  const outcomes: SeedOutcome[] = [];
  for (const useCase of useCases) {
    const [bytes, manifestText] = await Promise.all([
      readIfPresent(join(dir, useCase, 'model.onnx')),
      readIfPresent(join(dir, useCase, 'manifest.json')),
    ]);
    if (bytes === null || manifestText === null) {
      outcomes.push({ useCase, status: 'absent', promoted: false });
      continue;
    }
    let outcome: SeedOutcome;
    try {
      const pushed = await registry.push(useCase, bytes, JSON.parse(manifestText.toString('utf8')), {
        actor,
        reason: SEED_REASON,
      });
      outcome = { useCase, status: 'pushed', version: pushed.version, promoted: false };
    } catch (error) {
      const existing = isRiskopsError(error, 'conflict') ? error.details.existingVersion : undefined;
      if (typeof existing !== 'string') throw error;
      outcome = { useCase, status: 'registered', version: existing, promoted: false };
    }
    // A bootstrap champion skips approval, so it is never crowned in Azure (deleting the alias there must not
    // re-crown the shipped model); there a second identity approves and promotes it.
    if (
      registry.bootstrapAllowed &&
      outcome.version !== undefined &&
      (await registry.alias(useCase, 'champion')) === null
    ) {
      try {
        await registry.promote(useCase, outcome.version, {
          actor,
          reason: SEED_REASON,
          from: null,
          skipApproval: true,
        });
        outcome.promoted = true;
      } catch (error) {
        if (!isRiskopsError(error, 'conflict')) throw error;
      }
    }
    outcomes.push(outcome);
  }
  return outcomes;
}
