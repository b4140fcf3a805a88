import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:https';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One telemetry envelope as the Application Insights ingestion endpoint receives it (the fields tests read). */
export interface Envelope {
  name: string;
  iKey?: string;
  data: {
    baseType: string;
    baseData: {
      name?: string;
      properties?: Record<string, string>;
      metrics?: { name: string; value: number; count?: number; max?: number; min?: number }[];
    };
  };
}

const read = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
/** Self-signed for 127.0.0.1 (tests/telemetry/fixtures); the adapter is told to trust it. */
export const CERTIFICATE = read('ingestion-cert.pem');

export interface Ingestion {
  connectionString: string;
  instrumentationKey: string;
  envelopes: Envelope[];
  paths: string[];
  close(): Promise<void>;
}

/**
 * A small stand-in for the Application Insights ingestion endpoint (HTTPS `POST /v2.1/track`, JSON array,
 * gzip or not) on 127.0.0.1, answering as Breeze does. Tests point the real SDK at it through `IngestionEndpoint=`.
 */
export async function startIngestion(): Promise<Ingestion> {
  const envelopes: Envelope[] = [];
  const paths: string[] = [];
  const server: Server = createServer(
    { key: read('ingestion-key.pem'), cert: CERTIFICATE },
    (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        paths.push(`${request.method} ${request.url}`);
        let body = Buffer.concat(chunks);
        if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const text = body.toString('utf8').trim();
        const items: Envelope[] =
          text === ''
            ? []
            : text.startsWith('[')
              ? JSON.parse(text)
              : text.split('\n').map((l) => JSON.parse(l));
        envelopes.push(...items);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }),
        );
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const instrumentationKey = randomUUID();
  return {
    connectionString: `InstrumentationKey=${instrumentationKey};IngestionEndpoint=https://127.0.0.1:${port}/;LiveEndpoint=https://127.0.0.1:${port}/`,
    instrumentationKey,
    envelopes,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
