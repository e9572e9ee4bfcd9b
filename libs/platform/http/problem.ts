// RFC 9457 problem details: the one mapping from an error to the status and stable `code` of API.md.
import { HttpException } from '@nestjs/common';

export type FieldError = { field: string; message: string };
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
};

const STATUS_BY_CODE: Record<string, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  email_mismatch: 403,
  not_found: 404,
  invitation_not_found: 404,
  method_not_allowed: 405,
  already_member: 409,
  invitation_pending: 409,
  invitation_not_pending: 409,
  owner_role_immutable: 409,
  owner_cannot_be_removed: 409,
  transfer_target_not_admin: 409,
  concurrency_conflict: 409,
  conflict: 409,
  invitation_revoked: 410,
  invitation_used: 410,
  invitation_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  actor_not_member: 422,
  rate_limited: 429,
  internal: 500,
  read_model_lagging: 503,
  unavailable: 503,
};

/** Every stable error code of the API, for the OpenAPI description. */
export const PROBLEM_CODES = Object.keys(STATUS_BY_CODE);
export const statusOfCode = (code: string): number => STATUS_BY_CODE[code] ?? 500;

const CODE_BY_STATUS: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An error that knows its API code (domain errors, Unauthenticated, ConcurrencyConflict, ...). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export function problem(code: string, detail: string, errors?: FieldError[]): Problem {
  const status = STATUS_BY_CODE[code] ?? 500;
  return {
    type: `urn:team-management:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  };
}

type Coded = Error & { code: string; field?: string; errors?: FieldError[] };
const isCoded = (e: unknown): e is Coded =>
  e instanceof Error && typeof (e as Coded).code === 'string' && (e as Coded).code in STATUS_BY_CODE;

// The clients' errors for a server that does not answer (by name: the clients are not imported here,
// and errors may come from another realm under jest). The driver and client reconnect on their own.
const UNAVAILABLE_ERROR_NAMES = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
]);

/** Is this an engine (EventStoreDB, MongoDB) that does not answer right now? Then 503, retry later. */
export function isEngineUnavailable(error: unknown): boolean {
  const e = error as { name?: unknown; type?: unknown } | null;
  return (
    typeof e === 'object' && e !== null &&
    ((typeof e.name === 'string' && UNAVAILABLE_ERROR_NAMES.has(e.name)) || e.type === 'unavailable' || e.type === 'deadline-exceeded')
  );
}

/** Maps any thrown value to a problem. Unknown errors become a bare 500 that reveals nothing. */
export function toProblem(error: unknown): Problem {
  if (isEngineUnavailable(error)) return problem('unavailable', 'a storage engine is not answering; retry shortly');
  if (isCoded(error)) {
    const errors = error.errors ?? (error.field ? [{ field: error.field, message: error.message }] : undefined);
    return problem(error.code, error.message, errors);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'validation_failed');
    return { ...problem(code, status >= 500 ? 'internal error' : error.message), status };
  }
  // Fastify's own errors (body parsing, size limit, content type) carry a statusCode.
  const fastify = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode < 500) {
    const code = CODE_BY_STATUS[fastify.statusCode] ?? 'validation_failed';
    const detail = fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'the body exceeds 100 KiB' : (fastify.message ?? code);
    return { ...problem(code, detail), status: fastify.statusCode };
  }
  return problem('internal', 'internal error');
}
