import { ErrorCodes, type ErrorCode } from './catalog.js';

/** One field-level problem, as problem+json's `errors` array carries it. */
export interface FieldProblem {
  /** JSON pointer or dotted path of the field, e.g. `/name` or `spec.templates[0]`. */
  field: string;
  /** What is wrong with it. */
  message: string;
  /** How to fix it, when there is a clear fix. */
  fix?: string;
}

/** Options shared by every Plinth error. */
export interface PlinthErrorOptions {
  cause?: unknown;
  /** Field-level details, for input errors. */
  errors?: FieldProblem[];
  /** Anything else worth returning to the caller (never secrets). */
  details?: Record<string, unknown>;
  /** Overrides the code's default retryability. */
  retryable?: boolean;
}

/**
 * The base of every error Plinth raises on purpose. The code decides the HTTP
 * status (mapped once, in the API's error handler) and whether a retry can help.
 */
export class PlinthError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly errors: FieldProblem[];
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: PlinthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = ErrorCodes[code].status;
    this.retryable = options.retryable ?? ErrorCodes[code].retryable;
    this.errors = options.errors ?? [];
    this.details = options.details ?? {};
  }
}

/** The caller sent something invalid; `errors` names the fields and the fixes. */
export class InputError extends PlinthError {
  constructor(message: string, options: PlinthErrorOptions = {}) {
    super('INVALID_INPUT', message, options);
  }
}

/** A manifest that Argo would refuse, located by file, line and column when known. */
export class ManifestError extends PlinthError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(
    message: string,
    location: { file?: string; line?: number; column?: number } = {},
    options: PlinthErrorOptions = {},
  ) {
    const where = [location.file, location.line, location.column]
      .filter((p) => p !== undefined)
      .join(':');
    super('INVALID_MANIFEST', where ? `${where}: ${message}` : message, options);
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
  }
}

export class UnauthenticatedError extends PlinthError {
  constructor(message = 'a bearer token is required (Authorization: Bearer <token>)') {
    super('UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends PlinthError {
  constructor(message: string, options: PlinthErrorOptions = {}) {
    super('FORBIDDEN', message, options);
  }
}

export class NotFoundError extends PlinthError {
  constructor(message: string, options: PlinthErrorOptions = {}) {
    super('NOT_FOUND', message, options);
  }
}

export class ConflictError extends PlinthError {
  constructor(message: string, options: PlinthErrorOptions = {}) {
    super('CONFLICT', message, options);
  }
}

/** Narrows an unknown thrown value to a PlinthError with the given code. */
export function isPlinthError(err: unknown, code?: ErrorCode): err is PlinthError {
  return err instanceof PlinthError && (code === undefined || err.code === code);
}
