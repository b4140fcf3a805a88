/** The HTTP load benchmark's load generators: autocannon (in this process) and wrk (its own process, if installed). */
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import autocannon from 'autocannon';

const exec = promisify(execFile);

export type LoadTool = 'autocannon' | 'wrk';

/** One load run, the same fields whichever tool made it. */
export interface LoadRun {
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  ok: number;
  non2xx: number;
  errors: number;
  /** CPU-seconds the load generator itself used (autocannon: this whole process; wrk: its own process). */
  generatorCpuSeconds: number;
}

export interface LoadTarget {
  url: string;
  headers: Record<string, string>;
  /** JSON bodies, POSTed in turn. */
  bodies: readonly string[];
  /** Where wrk reads the bodies from (one per line). */
  bodiesFile: string;
}

/** Whether `wrk` is on PATH (Debian: `apt-get install wrk`). */
export function wrkInstalled(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

export function writeBodies(target: LoadTarget): void {
  writeFileSync(target.bodiesFile, `${target.bodies.join('\n')}\n`);
}

const round = (x: number) => Math.round(x * 100) / 100;

async function viaAutocannon(target: LoadTarget, connections: number, seconds: number): Promise<LoadRun> {
  let i = 0;
  const cpu = process.cpuUsage();
  const r = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: target.headers,
        setupRequest: (request: { body?: string }) => {
          request.body = target.bodies[i++ % target.bodies.length] as string;
          return request;
        },
      },
    ],
  });
  return {
    requests: r['2xx'] + r.non2xx,
    requestsPerSecond: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    generatorCpuSeconds: cpuSecondsSince(cpu),
  };
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** wrk with one thread (`-t1`: the least CPU taken from the host on the same cores) and bench/wrk-bodies.lua. */
async function viaWrk(target: LoadTarget, connections: number, seconds: number): Promise<LoadRun> {
  const { stdout } = await exec(
    'wrk',
    ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', 'bench/wrk-bodies.lua', target.url],
    { env: { ...process.env, BODIES: target.bodiesFile, KEY: target.headers['x-functions-key'] ?? '' } },
  );
  const line = /WRK (\{.*\})/.exec(stdout)?.[1];
  if (line === undefined) throw new Error(`wrk printed no summary: ${stdout}`);
  const w = JSON.parse(line) as {
    requests: number;
    seconds: number;
    non2xx: number;
    errors: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
    cpu: number;
  };
  return {
    requests: w.requests,
    requestsPerSecond: Math.round(w.requests / w.seconds),
    latencyMs: { p50: round(w.p50), p90: round(w.p90), p99: round(w.p99), max: round(w.max) },
    ok: w.requests - w.non2xx,
    non2xx: w.non2xx,
    errors: w.errors,
    generatorCpuSeconds: w.cpu,
  };
}

export function generateLoad(
  tool: LoadTool,
  target: LoadTarget,
  connections: number,
  seconds: number,
): Promise<LoadRun> {
  return tool === 'wrk' ? viaWrk(target, connections, seconds) : viaAutocannon(target, connections, seconds);
}
