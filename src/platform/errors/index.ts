/** @module Typed errors: a literal `code`, a `cause`, and whether the caller is at fault. */

export const ERROR_STATUS = {
  invalid_input: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  unknown_use_case: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  model_unavailable: 503,
  storage_unavailable: 503,
  /** Stored registry data failed its checks (tampered bytes, a corrupt alias): refused, never served. */
  integrity_error: 409,
  contract_violation: 422,
  invalid_settings: 500,
  data_contract: 422,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One problem with one field of an input, as returned to the caller. */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface RiskopsErrorOptions {
  cause?: unknown;
  issues?: readonly FieldIssue[];
  details?: Record<string, unknown>;
}

/**
 * Every error the platform raises on purpose. `callerFault` errors carry messages that are safe to return
 * (and may contain customer data, so they are not shipped to telemetry as exceptions).
 */
export class RiskopsError extends Error {
  override readonly name = 'RiskopsError';
  readonly code: ErrorCode;
  readonly issues: readonly FieldIssue[];
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: RiskopsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
    this.details = options.details ?? {};
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** An integrity failure answers 409 but is a tamper or corruption signal, never the caller's doing. */
  get callerFault(): boolean {
    return this.status >= 400 && this.status < 500 && this.code !== 'integrity_error';
  }
}

export function isRiskopsError(value: unknown, code?: ErrorCode): value is RiskopsError {
  return value instanceof RiskopsError && (code === undefined || value.code === code);
}

/** The JSON body of an error response. Internal errors never expose their message or stack. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: FieldIssue[]; requestId?: string };
}

export function toErrorBody(error: unknown, requestId?: string): { status: number; body: ErrorBody } {
  const known = error instanceof RiskopsError && error.status !== 500 ? error : undefined;
  const code: ErrorCode = known?.code ?? 'internal';
  const message = known?.message ?? 'Internal error. The failure was logged with this request id.';
  const body: ErrorBody = { error: { code, message } };
  if (known && known.issues.length > 0) body.error.issues = [...known.issues];
  if (requestId !== undefined) body.error.requestId = requestId;
  return { status: ERROR_STATUS[code], body };
}

/** Turns a zod error's issues into field issues with dotted paths. */
export function fieldIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldIssue[] {
  return issues.map((issue) => ({
    path: issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
