import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { processAlive } from '../storage/index.js';

/** `<RISKOPS_DATA_DIR>/azurite.json`: where the running `riskops start` Azurite listens. */
export const AZURITE_ENDPOINTS_FILE = 'azurite.json';

const port = z.number().int().min(1).max(65535);
export const AzuriteEndpointsSchema = z.object({
  pid: z.number().int().positive(),
  /** The `riskops start` process that owns this Azurite. */
  hostPid: z.number().int().positive(),
  startedAt: z.string(),
  ports: z.object({ blob: port, queue: port, table: port }),
  /** Azurite's well-known development account on those ports (not a secret). */
  connectionString: z.string().min(1),
});
export type AzuriteEndpoints = z.infer<typeof AzuriteEndpointsSchema>;

export function azuriteEndpointsPath(dataDir: string): string {
  return join(dataDir, AZURITE_ENDPOINTS_FILE);
}

/** Records the running Azurite's endpoints, so the CLI finds it even on ports chosen at start (`_PORT=0`). */
export function writeAzuriteEndpoints(dataDir: string, endpoints: AzuriteEndpoints): void {
  writeFileSync(azuriteEndpointsPath(dataDir), `${JSON.stringify(endpoints, null, 2)}\n`);
}

export function removeAzuriteEndpoints(dataDir: string): void {
  rmSync(azuriteEndpointsPath(dataDir), { force: true });
}

/**
 * The endpoints of the Azurite a running `riskops start` recorded in `dataDir`; undefined when there is no
 * file, it cannot be parsed, or the Azurite it names is no longer running (a crashed run's leftover).
 */
export function readAzuriteEndpoints(dataDir: string): AzuriteEndpoints | undefined {
  let raw: string;
  try {
    raw = readFileSync(azuriteEndpointsPath(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const result = AzuriteEndpointsSchema.safeParse(parsed);
  if (!result.success || !processAlive(result.data.pid)) return undefined;
  return result.data;
}
