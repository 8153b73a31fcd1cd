import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  ErrorCodes,
  PlinthError,
  isPlinthError,
  type ErrorCode,
  type FieldProblem,
} from '../errors/index.js';

/** RFC 9457 problem details, as every error answer carries them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  requestId: string;
  retryable: boolean;
  errors?: FieldProblem[];
  details?: Record<string, unknown>;
}

export const PROBLEM_TYPE = 'application/problem+json';

/** One AJV error, as Fastify hands it over with `verbose` on. */
interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  schema?: unknown;
  parentSchema?: { properties?: Record<string, unknown>; description?: string };
}

function pathOf(instancePath: string, child?: unknown): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (typeof child === 'string') parts.push(child);
  return parts.join('.');
}

function fieldProblemOf(err: SchemaError, context: string): FieldProblem | undefined {
  const where = context === 'body' ? '' : `${context} `;
  switch (err.keyword) {
    case 'required':
      return {
        field: pathOf(err.instancePath, err.params['missingProperty']),
        message: `${where}field is required`,
        fix: `add it`,
      };
    case 'additionalProperties': {
      const allowed = Object.keys(err.parentSchema?.properties ?? {});
      return {
        field: pathOf(err.instancePath, err.params['additionalProperty']),
        message: `${where}field is not known`,
        fix:
          allowed.length > 0
            ? `remove it, allowed fields are ${allowed.join(', ')}`
            : 'remove it, no fields are allowed here',
      };
    }
    case 'type': {
      const type = String(err.params['type']);
      return {
        field: pathOf(err.instancePath),
        message: `must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`,
        fix: type === 'object' ? 'send a JSON object' : `give a JSON ${type}`,
      };
    }
    case 'enum':
      return {
        field: pathOf(err.instancePath),
        message: 'is not one of the allowed values',
        fix: `use one of ${((err.params['allowedValues'] as unknown[]) ?? []).join(', ')}`,
      };
    case 'anyOf':
      // Its branches report their own errors; this summary adds nothing.
      return undefined;
    default: {
      const description = err.parentSchema?.description;
      return {
        field: pathOf(err.instancePath),
        message: err.message ?? `fails ${err.keyword}`,
        ...(description
          ? { fix: `give ${description[0]?.toLowerCase()}${description.slice(1)}` }
          : {}),
      };
    }
  }
}

/** Turns Fastify's schema validation failure into an InputError naming each field and its fix. */
export function inputErrorFromValidation(
  validation: SchemaError[],
  context: string | undefined,
): PlinthError {
  const seen = new Set<string>();
  const errors: FieldProblem[] = [];
  for (const e of validation) {
    const problem = fieldProblemOf(e, context ?? 'body');
    if (!problem) continue;
    const key = `${problem.field}\0${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(problem);
  }
  const summary = errors.map((e) => `${e.field || context || 'body'} ${e.message}`).join('; ');
  return new PlinthError('INVALID_INPUT', `invalid ${context ?? 'body'}: ${summary}`, { errors });
}

const clientStatusCodes: Partial<Record<number, ErrorCode>> = {
  400: 'INVALID_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
};

/** Maps anything thrown to a PlinthError; what is not a client's mistake becomes INTERNAL. */
export function toPlinthError(err: unknown): PlinthError {
  if (err instanceof PlinthError) return err;
  const fe = err as Partial<FastifyError> & { validation?: SchemaError[] };
  if (Array.isArray(fe.validation))
    return inputErrorFromValidation(fe.validation, fe.validationContext);
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = clientStatusCodes[status] ?? 'INVALID_INPUT';
    // Fastify's own client errors (bad JSON, wrong content type) carry messages meant for callers.
    const error = new PlinthError(code, fe.message ?? ErrorCodes[code].title, { cause: err });
    return status === error.status ? error : Object.assign(error, { status });
  }
  return new PlinthError('INTERNAL', 'Plinth failed to answer this request', { cause: err });
}

function typeUri(code: ErrorCode): string {
  return `https://plinth.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

export function problemOf(error: PlinthError, request: FastifyRequest): Problem {
  // A 500 is Plinth's own failure: its text may name internals, so it stays in the log.
  const internal = error.status === 500;
  const detail = internal
    ? `Plinth failed to answer this request; quote request id ${request.id} when reporting it`
    : error.message;
  return {
    type: typeUri(error.code),
    title: ErrorCodes[error.code].title,
    status: error.status,
    detail,
    instance: request.url.split('?')[0] ?? request.url,
    code: error.code,
    requestId: request.id,
    retryable: error.retryable,
    ...(error.errors.length > 0 ? { errors: error.errors } : {}),
    ...(!internal && Object.keys(error.details).length > 0 ? { details: error.details } : {}),
  };
}

/** The one place where errors become HTTP answers. */
export function sendProblem(
  err: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const error = toPlinthError(err);
  const problem = problemOf(error, request);
  if (problem.status >= 500) {
    request.log.error({ err, code: error.code }, 'request failed');
  } else {
    request.log.info({ code: error.code, detail: problem.detail }, 'request refused');
  }
  if (isPlinthError(error, 'UNAUTHENTICATED')) {
    const invalid = request.headers.authorization !== undefined;
    reply.header(
      'www-authenticate',
      invalid ? 'Bearer realm="plinth", error="invalid_token"' : 'Bearer realm="plinth"',
    );
  }
  if (error.retryable && problem.status === 503) reply.header('retry-after', '5');
  return reply.code(problem.status).type(PROBLEM_TYPE).send(problem);
}
