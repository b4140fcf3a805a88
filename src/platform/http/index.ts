/** @module HTTP edge: JSON bodies in, typed errors mapped to status codes in one place. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { z } from 'zod';
import { fieldIssues, isRiskopsError, RiskopsError, toErrorBody } from '../errors/index.js';
import type { HttpHandler } from '../functions/index.js';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json', ...headers } };
}

/**
 * Maps every thrown error to a response: RiskopsErrors to their status and message, anything else to a 500
 * that carries only the invocation id. Caller errors are logged as warnings without their payload.
 */
export function withHttpErrors(handler: HttpHandler): HttpHandler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      const { status, body } = toErrorBody(error, context.invocationId);
      if (isRiskopsError(error) && error.callerFault) {
        context.warn(`${request.method} ${new URL(request.url).pathname} -> ${status} ${error.code}`);
      } else {
        context.error(`${request.method} ${new URL(request.url).pathname} failed`, error);
      }
      return json(status, body, { 'x-request-id': context.invocationId });
    }
  };
}

/** `application/json` or a `+json` type (`application/merge-patch+json`), any case, parameters aside. */
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.!#$&^_-]+\+)?json$/;

/**
 * Refuses a body that is not declared as JSON (a missing header, `text/plain`, a form), or is JSON in a
 * charset other than UTF-8: it would otherwise be parsed as if it were.
 * @throws RiskopsError `unsupported_media_type` (415)
 */
export function requireJsonContentType(request: HttpRequest): void {
  const header = request.headers.get('content-type');
  const [type = '', ...params] = (header ?? '').split(';');
  const media = type.trim().toLowerCase();
  if (!JSON_MEDIA_TYPE.test(media)) {
    throw new RiskopsError(
      'unsupported_media_type',
      header === null
        ? 'The request has no content-type; send the body as JSON with content-type: application/json'
        : `content-type ${media || '(empty)'} is not supported; send the body as JSON with content-type: application/json`,
    );
  }
  for (const param of params) {
    const [name = '', value = ''] = param.split('=', 2).map((part) => part.trim().toLowerCase());
    if (name === 'charset' && !['utf-8', 'utf8', '"utf-8"'].includes(value)) {
      throw new RiskopsError(
        'unsupported_media_type',
        `charset ${value} is not supported; JSON bodies must be UTF-8`,
      );
    }
  }
}

/**
 * Reads and parses a JSON body (content-type `application/json`), refusing bodies over `maxBytes`.
 * @throws RiskopsError `unsupported_media_type`, `payload_too_large`, `invalid_json`
 */
export async function readJson(request: HttpRequest, maxBytes: number): Promise<unknown> {
  requireJsonContentType(request);
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    throw new RiskopsError(
      'payload_too_large',
      `Request body is ${declared} bytes; the limit is ${maxBytes}`,
    );
  }
  const text = await request.text();
  if (Buffer.byteLength(text) > maxBytes) {
    throw new RiskopsError('payload_too_large', `Request body exceeds the limit of ${maxBytes} bytes`);
  }
  if (text.trim() === '') throw new RiskopsError('invalid_json', 'Request body is empty; send a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RiskopsError('invalid_json', `Request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Parses `value` with `schema`.
 * @throws RiskopsError `invalid_input` naming each bad field.
 */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = fieldIssues(result.error.issues);
    throw new RiskopsError(
      'invalid_input',
      `Invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      {
        issues,
      },
    );
  }
  return result.data;
}

export type { InvocationContext };
