import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HttpRequest, InvocationContext } from '@azure/functions';
import onnxproto from 'onnx-proto';
import type { HttpHandler } from '../../src/platform/functions/index.js';
import { sha256Hex } from '../../src/platform/model/index.js';
import { decodeModel } from '../../src/platform/onnx/proto.js';
import { requireGenerator } from '../../src/platform/use-case/index.js';
import { USE_CASES } from '../../src/use_cases/index.js';

/** The shipped model with one extra metadata entry: other bytes (another version), the same predictions. */
export function shippedVariant(
  useCase: string,
  tag: string,
): { bytes: Uint8Array; manifest: Record<string, unknown> } {
  const model = decodeModel(new Uint8Array(readFileSync(`models/${useCase}/model.onnx`)));
  model.metadataProps.push(onnxproto.onnx.StringStringEntryProto.create({ key: 'variant', value: tag }));
  const bytes = Uint8Array.from(onnxproto.onnx.ModelProto.encode(model).finish());
  const manifest = JSON.parse(readFileSync(`models/${useCase}/manifest.json`, 'utf8')) as {
    onnx: Record<string, unknown>;
  };
  manifest.onnx = { ...manifest.onnx, sha256: sha256Hex(bytes), bytes: bytes.length };
  return { bytes, manifest };
}

export function recordsOf(name: string, rows: number, seed = 5): Record<string, unknown>[] {
  const useCase = USE_CASES.find((u) => u.name === name);
  if (useCase === undefined) throw new Error(name);
  return requireGenerator(useCase)({ rows, seed })
    .map(({ [useCase.label.field]: _label, ...record }) => record)
    .filter((record) => useCase.schema.safeParse(record).success);
}

export interface Answer<T> {
  status: number;
  body: T;
  requestId: string;
}

export async function callScore<T>(
  handler: HttpHandler,
  useCase: string,
  body: string,
  query = '',
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const request = new HttpRequest({
    method: 'POST',
    url: `http://localhost:7071/api/score/${useCase}${query}`,
    params: { useCase },
    headers: { 'content-type': 'application/json', ...headers },
    body: { string: body },
  });
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: 'score',
    logHandler: () => undefined,
  });
  const response = await handler(request, context);
  return { status: response.status ?? 200, body: response.jsonBody as T, requestId: context.invocationId };
}
