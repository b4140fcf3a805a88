import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '../../src/platform/functions/index.js';
import { startHost, type TestServices, waitFor } from './support.js';

interface Outcome {
  status?: number;
  connection?: string;
  error?: string;
  /** Whether the request went out on a socket that had served an earlier request (kept alive). */
  reused: boolean;
  /** Sent after `stop()` was called (the host answers it while stopping, or refuses the connection). */
  afterStop: boolean;
}

/** One POST on the keep-alive agent; never rejects. */
function post(agent: Agent, url: string, stopped: () => boolean): Promise<Outcome> {
  const afterStop = stopped();
  return new Promise((resolve) => {
    let reused = false;
    const req = request(`${url}/api/work`, { method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          connection: String(res.headers.connection ?? ''),
          reused,
          afterStop,
        }),
      );
    });
    req.on('socket', (socket) => {
      reused = (socket as { riskopsUsed?: boolean }).riskopsUsed === true;
      (socket as { riskopsUsed?: boolean }).riskopsUsed = true;
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message, reused, afterStop }),
    );
    req.end('{}');
  });
}

describe('stopping under load', () => {
  it('answers kept-alive sockets with connection: close while draining, and resets none of them', async () => {
    const definitions: FunctionDefinition<TestServices>[] = [
      {
        kind: 'http',
        name: 'work',
        route: 'work',
        methods: ['POST'],
        authLevel: 'anonymous',
        create: () => async () => {
          await sleep(5);
          return { status: 200, body: 'ok' };
        },
      },
    ];
    const { host } = await startHost(definitions);
    const url = host.url;
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    let stopping = false;
    const outcomes: Outcome[] = [];
    const clients = Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 400; i++) {
        const outcome = await post(agent, url, () => stopping);
        outcomes.push(outcome);
        if (outcome.error !== undefined || outcome.status !== 200) break;
      }
    });
    await waitFor(() => outcomes.length >= 40);
    stopping = true;
    await host.stop();
    await Promise.all(clients);
    agent.destroy();

    const beforeStop = outcomes.filter((o) => !o.afterStop);
    expect(beforeStop.length).toBeGreaterThan(20);
    // Sent before stop(): served, or (arriving just after) refused politely, never reset.
    expect(
      beforeStop.filter((o) => o.status !== 200 && !(o.status === 503 && o.connection === 'close')),
    ).toEqual([]);
    // A request sent on a kept-alive socket must get an answer, not a reset: the host says
    // `connection: close` on every response once it is stopping and closes sockets only after that.
    const resets = outcomes.filter((o) => o.reused && o.error !== undefined);
    expect(resets).toEqual([]);
    for (const o of outcomes.filter((x) => x.afterStop && x.status !== undefined)) {
      expect(o.connection).toBe('close');
    }
    expect(outcomes.some((o) => o.status === 503 && o.connection === 'close')).toBe(true);
  });
});
