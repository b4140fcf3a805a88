import type { ServingState } from '../scoring/index.js';
import type { StorageClients } from '../storage/index.js';

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface StorageProbes {
  blob: ProbeResult;
  queue: ProbeResult;
  table: ProbeResult;
}

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthReport {
  status: HealthStatus;
  /** While not healthy: since when (as seen by this instance, or the last good alias check) and why. */
  degraded?: { since: string; seconds: number; reasons: string[] };
  storage: StorageProbes;
  models: Record<string, ServingState>;
}

/** Runs `check` with an abort signal and a hard deadline: a stalled service cannot hold the answer. */
async function probe(
  check: (signal: AbortSignal) => Promise<unknown>,
  timeoutMs: number,
): Promise<ProbeResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(controller.signal),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: message.split('\n')[0] || 'unreachable',
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Blob, queue and table, probed concurrently; each gives up after `timeoutMs`. */
export async function probeStorage(
  storage: StorageClients,
  container: string,
  timeoutMs: number,
): Promise<StorageProbes> {
  const [blob, queue, table] = await Promise.all([
    probe((abortSignal) => storage.container(container).exists({ abortSignal }), timeoutMs),
    probe((abortSignal) => storage.queueService().getProperties({ abortSignal }), timeoutMs),
    probe((abortSignal) => storage.tableService().getProperties({ abortSignal }), timeoutMs),
  ]);
  return { blob, queue, table };
}

/**
 * The health verdict: `unhealthy` when storage is unreachable and no model is loaded (nothing can be done);
 * `degraded` when a storage service is unreachable, an alias check is failing, a fallback stands in or a use
 * case has nothing to serve; `healthy` otherwise. `memory` keeps since when this instance has seen it not healthy.
 */
export function healthReport(
  storage: StorageProbes,
  models: Record<string, ServingState>,
  memory: { degradedSince: number | undefined },
  now: number,
): HealthReport {
  const reasons: string[] = [];
  for (const [name, result] of Object.entries(storage)) {
    if (!result.ok) reasons.push(`${name} storage unreachable: ${result.error ?? 'no answer'}`);
  }
  let since = now;
  for (const [useCase, state] of Object.entries(models)) {
    if (state.status === 'ok') continue;
    reasons.push(`${useCase}: ${state.status}${state.error === undefined ? '' : ` (${state.error})`}`);
    if (state.status === 'stale' && state.lastCheckAt !== undefined) {
      since = Math.min(since, Date.parse(state.lastCheckAt));
    }
  }
  const states = Object.values(models);
  const serving = states.filter((m) => m.version !== null).length;
  const storageDown = Object.values(storage).some((p) => !p.ok);
  // Unhealthy only when this instance can do nothing: storage unreachable and no model loaded to serve with.
  const status: HealthStatus =
    storageDown && serving === 0 ? 'unhealthy' : reasons.length > 0 ? 'degraded' : 'healthy';
  if (status === 'healthy') {
    memory.degradedSince = undefined;
    return { status, storage, models };
  }
  memory.degradedSince = Math.min(memory.degradedSince ?? now, since);
  const seconds = Math.round((now - memory.degradedSince) / 100) / 10;
  return {
    status,
    degraded: { since: new Date(memory.degradedSince).toISOString(), seconds, reasons },
    storage,
    models,
  };
}

/**
 * `report` made `degraded` (an `unhealthy` one stays so) with `reasons` added to its own, degraded since the
 * earlier of its own `since` and `since` (default: now).
 */
export function degradedBy<R extends HealthReport>(
  report: R,
  reasons: readonly string[],
  now: number,
  since = now,
): R {
  const from = Math.min(since, report.degraded === undefined ? now : Date.parse(report.degraded.since));
  return {
    ...report,
    status: report.status === 'unhealthy' ? 'unhealthy' : 'degraded',
    degraded: {
      since: new Date(from).toISOString(),
      seconds: Math.round((now - from) / 100) / 10,
      reasons: [...(report.degraded?.reasons ?? []), ...reasons],
    },
  };
}
