/**
 * Cheaper request/response plumbing for the local host. Handlers still get a real `HttpRequest` (the class the
 * Azure runtime builds), backed by a small buffered stand-in for the fetch `Request` instead of an undici
 * `Request` and its web stream; plain `HttpResponseInit` results are written straight to the socket instead of
 * through an undici `Response`. Anything unusual (streams, form data, blobs) takes the general path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRequest as AzureHttpRequest, Cookie, HttpResponseInit } from '@azure/functions';
import { HttpRequest } from './azure-functions.js';

const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const BOM = [0xef, 0xbb, 0xbf];

/** Enough of the fetch `Request` for `HttpRequest` to delegate to, over a body that is already in memory. */
class BufferedRequest {
  bodyUsed = false;
  constructor(
    readonly url: string,
    readonly method: string,
    readonly headers: Headers,
    private readonly bytes: Buffer,
  ) {}

  private consume(): Buffer {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.bodyUsed = true;
    return this.bytes;
  }

  /** Falls back to a real `Request` for the rarely used parts (streams, form data, blobs). */
  private real(): Request {
    const hasBody = this.method !== 'GET' && this.method !== 'HEAD';
    return new Request(this.url, {
      method: this.method,
      headers: this.headers,
      ...(hasBody ? { body: this.bytes } : {}),
    });
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.method === 'GET' || this.method === 'HEAD') return null;
    return this.real().body;
  }

  async text(): Promise<string> {
    const bytes = this.consume();
    const start = bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2] ? 3 : 0;
    return bytes.toString('utf8', start);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.consume();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async blob(): Promise<Blob> {
    this.consume();
    return this.real().blob();
  }

  async formData(): Promise<FormData> {
    this.consume();
    return this.real().formData();
  }

  clone(): BufferedRequest {
    if (this.bodyUsed) throw new TypeError('Body has already been consumed');
    return new BufferedRequest(this.url, this.method, new Headers(this.headers), this.bytes);
  }
}

/** A real `HttpRequest` for a buffered incoming request. */
export function toHttpRequest(
  req: IncomingMessage,
  method: string,
  url: string,
  body: Buffer,
  params: Record<string, string>,
): AzureHttpRequest {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  const nativeRequest = new BufferedRequest(url, method, headers, body);
  // `nativeRequest` is how the library itself wraps a request it already holds (see its createStreamRequest).
  const init = { method, url, params, nativeRequest } as unknown as ConstructorParameters<
    typeof HttpRequest
  >[0];
  return new HttpRequest(init);
}

function setHeaders(res: ServerResponse, headers: HttpResponseInit['headers']): boolean {
  if (headers === undefined) return true;
  if (headers instanceof Headers) {
    for (const [name, value] of headers) if (name !== 'set-cookie') res.setHeader(name, value);
    const cookies = headers.getSetCookie();
    if (cookies.length > 0) res.setHeader('set-cookie', cookies);
    return true;
  }
  if (Array.isArray(headers)) {
    for (const [name, value] of headers as [string, string][]) res.appendHeader(name.toLowerCase(), value);
    return true;
  }
  if (typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers as Record<string, string>))
      res.setHeader(name.toLowerCase(), value);
    return true;
  }
  return false;
}

/**
 * Writes a plain `HttpResponseInit` (JSON, string or bytes body) directly, as `HttpResponse` would render it.
 * @returns false, having written nothing, when the result needs the general path.
 */
export function tryWritePlain(
  res: ServerResponse,
  result: HttpResponseInit,
  closing: boolean,
  serializeCookie: (cookie: Cookie) => string,
): boolean {
  const status = result.status ?? 200;
  const nullBody = NULL_BODY.has(status);
  let payload: Buffer | string | undefined;
  let contentType: string | undefined;
  if (result.jsonBody !== undefined && result.jsonBody !== null && !nullBody) {
    payload = JSON.stringify(result.jsonBody);
    contentType = 'application/json';
  } else if (result.body === undefined || result.body === null || nullBody) {
    payload = undefined;
  } else if (typeof result.body === 'string') {
    payload = result.body;
    contentType = 'text/plain;charset=UTF-8';
  } else if (result.body instanceof Uint8Array) {
    payload = Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength);
  } else if (result.body instanceof ArrayBuffer) {
    payload = Buffer.from(result.body);
  } else return false;
  if (
    result.headers !== undefined &&
    !(result.headers instanceof Headers) &&
    typeof result.headers !== 'object'
  )
    return false;
  if (!setHeaders(res, result.headers)) return false;
  if (contentType !== undefined && !res.hasHeader('content-type')) res.setHeader('content-type', contentType);
  const cookies = (result.cookies ?? []).map(serializeCookie);
  if (cookies.length > 0) {
    const existing = res.getHeader('set-cookie');
    res.setHeader('set-cookie', [
      ...(Array.isArray(existing) ? existing : existing === undefined ? [] : [String(existing)]),
      ...cookies,
    ]);
  }
  if (closing) res.setHeader('connection', 'close');
  const length =
    payload === undefined ? 0 : typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  res.setHeader('content-length', length);
  res.writeHead(status);
  res.end(payload);
  return true;
}
