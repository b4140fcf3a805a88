import { RiskopsError, toErrorBody } from '../errors/index.js';

/** One function as `GET /admin/functions` lists it. */
export interface FunctionInfo {
  name: string;
  kind: 'http' | 'timer' | 'storageQueue' | 'serviceBusQueue';
  /** The start-up listing's description, e.g. `[POST] http://localhost:7071/api/score/{useCase}`. */
  trigger: string;
  authLevel?: string;
  invokeUrlTemplate?: string;
  methods?: readonly string[];
  schedule?: string;
  queueName?: string;
}

/** The outcome of `POST /admin/functions/{name}`. */
export type InvokeOutcome = 'started' | 'busy' | 'not_found' | 'http';

export interface AdminApi {
  functions(): readonly FunctionInfo[];
  status(): Record<string, unknown>;
  /** Starts a non-HTTP function now with `input` as its trigger data (ignored by timers). */
  invoke(name: string, input: string | undefined): InvokeOutcome;
}

export interface AdminResponse {
  status: number;
  body?: unknown;
}

const error = (code: ConstructorParameters<typeof RiskopsError>[0], message: string): AdminResponse =>
  toErrorBody(new RiskopsError(code, message));

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The trigger data of an admin call: `{"input": "..."}`; a non-string input is passed as its JSON. */
function readInput(body: Buffer): { input: string | undefined } | AdminResponse {
  if (body.length === 0) return { input: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return error('invalid_json', 'Body must be JSON like {"input": "..."}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return error('invalid_input', 'Body must be a JSON object like {"input": "..."}');
  }
  const input = (parsed as { input?: unknown }).input;
  if (input === undefined || input === null) return { input: undefined };
  return { input: typeof input === 'string' ? input : JSON.stringify(input) };
}

/**
 * The host's admin API, as Core Tools serves it (keys are not checked locally):
 * `GET /admin/host/status`, `GET /admin/functions[/{name}]`, and `POST /admin/functions/{name}` with
 * `{"input": "..."}` to run a timer or queue function now (202 once started, as the real host answers).
 */
export function handleAdmin(api: AdminApi, method: string, path: string, body: Buffer): AdminResponse {
  const segments = path
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .map(safeDecode);
  const [, area, name, ...rest] = segments;
  if (area?.toLowerCase() === 'host' && name?.toLowerCase() === 'status' && rest.length === 0) {
    return method === 'GET' ? { status: 200, body: api.status() } : error('method_not_allowed', 'Use GET');
  }
  if (area?.toLowerCase() !== 'functions' || rest.length > 0) {
    return error('not_found', `No admin endpoint at ${path}`);
  }
  if (name === undefined) {
    return method === 'GET' ? { status: 200, body: api.functions() } : error('method_not_allowed', 'Use GET');
  }
  const info = api.functions().find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (info === undefined) return error('not_found', `No function named '${name}'`);
  if (method === 'GET') return { status: 200, body: info };
  if (method !== 'POST') return error('method_not_allowed', 'Use GET or POST');

  const read = readInput(body);
  if ('status' in read) return read;
  switch (api.invoke(info.name, read.input)) {
    case 'started':
      return { status: 202 };
    case 'busy':
      return error('conflict', `'${info.name}' is still running; a timer never runs twice at once`);
    case 'http':
      return error(
        'invalid_input',
        `'${info.name}' is an HTTP function; call ${info.invokeUrlTemplate ?? 'its route'} instead`,
      );
    case 'not_found':
      return error('not_found', `No function named '${name}'`);
  }
}
