import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpResponse as AzureHttpResponse, Cookie, HttpResponseInit } from '@azure/functions';
import { RiskopsError, toErrorBody } from '../errors/index.js';
import type { AuthLevel, HttpHandler } from '../functions/index.js';
import { type AdminApi, handleAdmin } from './admin.js';
import { HttpResponse } from './azure-functions.js';
import { toHttpRequest, tryWritePlain } from './fast-http.js';
import type { InvocationTracker } from './invocations.js';
import type { KeyCheck } from './keys.js';
import type { HostLogger } from './logger.js';
import type { CompiledRoute } from './routes.js';

/** An HTTP function bound to its compiled route, sorted most specific first. */
export interface HttpFunction {
  name: string;
  route: CompiledRoute;
  methods: readonly string[];
  authLevel: AuthLevel;
  handler: HttpHandler;
}

export interface HttpServerOptions {
  functions: readonly HttpFunction[];
  admin: AdminApi;
  invocations: InvocationTracker;
  logger: HostLogger;
  /** Larger request bodies get 413 before any handler runs. */
  maxRequestBytes: number;
  /** True once the host is stopping: new requests get 503 and connections are not kept alive. */
  stopping(): boolean;
  /** Function and admin keys; without it (or with no key configured) every route is open. */
  keys?: KeyCheck;
}

const ROUTE_PREFIX = '/api';

/**
 * The local host's HTTP front: `/api/<route>` to HTTP functions (function and admin keys enforced when configured),
 * `/admin/...` to the admin API. Handlers get a real `HttpRequest` and `InvocationContext`; what they return
 * is translated back; a throw becomes a 500 carrying only the invocation id.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const server = createServer((req, res) => {
    options.invocations.track(
      handle(options, req, res).catch((error: unknown) => {
        options.logger.log('error', `HTTP ${req.method} ${req.url} failed in the host: ${String(error)}`);
        if (!res.headersSent) sendJson(res, toErrorBody(error), options.stopping());
        else res.destroy();
      }),
    );
  });
  return server;
}

async function handle(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  const path = url.pathname;
  if (options.stopping()) {
    req.resume();
    sendJson(
      res,
      { status: 503, body: { error: { code: 'host_stopping', message: 'The host is stopping' } } },
      true,
    );
    return;
  }
  if (path === '/' && method === 'GET') {
    if (options.stopping()) res.setHeader('connection', 'close');
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Your Functions 4.0 app is up and running (riskops local host).\n');
    return;
  }
  const body = await readBody(req, options.maxRequestBytes);
  if (body === undefined) {
    res.setHeader('connection', 'close');
    sendJson(
      res,
      toErrorBody(
        new RiskopsError('payload_too_large', `Request body exceeds ${options.maxRequestBytes} bytes`),
      ),
    );
    return;
  }
  if (/^\/admin(\/|$)/i.test(path)) {
    if (options.keys !== undefined && !options.keys.allows('admin', presentedKey(req, url))) {
      sendJson(res, unauthorized('the master key'));
      return;
    }
    const answer = handleAdmin(options.admin, method, path, body);
    if (answer.body === undefined) {
      if (options.stopping()) res.setHeader('connection', 'close');
      res.writeHead(answer.status).end();
    } else sendJson(res, { status: answer.status, body: answer.body }, options.stopping());
    return;
  }
  const lower = path.toLowerCase();
  const rest =
    lower === ROUTE_PREFIX || lower.startsWith(`${ROUTE_PREFIX}/`)
      ? path.slice(ROUTE_PREFIX.length)
      : undefined;
  // Functions are sorted most specific first: the first whose route and method match serves the request.
  const match = rest === undefined ? undefined : findFunction(options.functions, rest, method);
  if (match === undefined) {
    const allowed =
      rest === undefined
        ? []
        : [
            ...new Set(
              options.functions.flatMap((fn) => (fn.route.match(rest) === undefined ? [] : fn.methods)),
            ),
          ];
    if (allowed.length === 0) {
      sendJson(
        res,
        toErrorBody(new RiskopsError('not_found', `No function serves ${method} ${path}`)),
        options.stopping(),
      );
      return;
    }
    res.setHeader('allow', allowed.join(', '));
    sendJson(
      res,
      toErrorBody(
        new RiskopsError('method_not_allowed', `${method} is not allowed; use ${allowed.join(' or ')}`),
      ),
      options.stopping(),
    );
    return;
  }
  const { fn, params } = match;
  if (options.keys !== undefined && !options.keys.allows(fn.authLevel, presentedKey(req, url))) {
    sendJson(res, unauthorized(fn.authLevel === 'admin' ? 'the master key' : 'a function key'));
    return;
  }
  const request = toHttpRequest(req, method, url.href, body, params);
  await options.invocations
    .run(
      {
        functionName: fn.name,
        triggerType: 'httpTrigger',
        reason: `This function was invoked by an HTTP request to ${url.pathname}.`,
      },
      async (context) => {
        try {
          await sendResponse(res, await fn.handler(request, context), options.stopping());
        } catch (error) {
          if (res.headersSent) res.destroy();
          else {
            res.setHeader('x-request-id', context.invocationId);
            sendJson(res, toErrorBody(error, context.invocationId), options.stopping());
          }
          throw error;
        }
      },
    )
    .catch(() => {
      // The tracker logged the failure (with its stack) and the client got a 500 without it.
    });
}

function findFunction(
  functions: readonly HttpFunction[],
  path: string,
  method: string,
): { fn: HttpFunction; params: Record<string, string> } | undefined {
  for (const fn of functions) {
    if (!fn.methods.includes(method)) continue;
    const params = fn.route.match(path);
    if (params !== undefined) return { fn, params };
  }
  return undefined;
}

/** The key a caller presents, as Azure reads it: the `x-functions-key` header, else the `code` query value. */
function presentedKey(req: IncomingMessage, url: URL): string | null {
  const header = req.headers['x-functions-key'];
  if (typeof header === 'string') return header;
  return url.searchParams.get('code');
}

function unauthorized(what: string): { status: number; body: unknown } {
  return toErrorBody(
    new RiskopsError('unauthorized', `This route needs ${what}: send it as x-functions-key or ?code=`),
  );
}

/** Reads the body, or undefined when it is larger than `limit` (the rest is discarded). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    return Promise.resolve(undefined);
  }
  // Listeners rather than `for await`: no async iterator per request.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.resume();
      resolve(undefined);
    };
    let ended = false;
    req.on('data', onData);
    req.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.once('error', reject);
    // A client gone before the end of its body: no request to serve (settles the promise if nothing else did).
    req.once('close', () => {
      if (!ended) reject(new Error('The request was aborted before its body ended'));
    });
  });
}

/** Writes a JSON answer; `closing` (the host is stopping) tells the client not to reuse the connection. */
function sendJson(res: ServerResponse, answer: { status: number; body: unknown }, closing = false): void {
  const text = JSON.stringify(answer.body);
  if (closing) res.setHeader('connection', 'close');
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Writes what a handler returned: status, headers, cookies, and body (string, bytes, stream or jsonBody). */
async function sendResponse(
  res: ServerResponse,
  result: HttpResponseInit | AzureHttpResponse,
  closing: boolean,
): Promise<void> {
  if (!(result instanceof HttpResponse) && tryWritePlain(res, result ?? {}, closing, serializeCookie)) return;
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  const body = Buffer.from(await response.arrayBuffer());
  const cookies = [...response.headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value);
  }
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (closing) res.setHeader('connection', 'close');
  res.setHeader('content-length', body.length);
  res.writeHead(response.status);
  res.end(body);
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain !== undefined) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path !== undefined) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure === true) parts.push('Secure');
  if (cookie.httpOnly === true) parts.push('HttpOnly');
  if (cookie.sameSite !== undefined) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}
