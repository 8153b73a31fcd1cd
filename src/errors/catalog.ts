/**
 * Every error code Plinth gives, with its HTTP status and whether retrying the
 * same operation can help. A code is never reused once retired; add new codes
 * at the end of their group. docs/errors.md is the table for users.
 */
export const ErrorCodes = {
  // Input: the caller's mistake, fixed by changing the request.
  INVALID_INPUT: { status: 400, retryable: false, title: 'Invalid input' },
  INVALID_MANIFEST: { status: 400, retryable: false, title: 'Invalid manifest' },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false, title: 'Payload too large' },
  UNAUTHENTICATED: { status: 401, retryable: false, title: 'Unauthenticated' },
  FORBIDDEN: { status: 403, retryable: false, title: 'Forbidden' },
  NOT_FOUND: { status: 404, retryable: false, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, retryable: false, title: 'Method not allowed' },
  CONFLICT: { status: 409, retryable: false, title: 'Conflict' },
  NOT_WAITING: { status: 409, retryable: false, title: 'Run is not waiting for approval' },
  IDEMPOTENCY_MISMATCH: { status: 422, retryable: false, title: 'Idempotency key reused' },
  // Engine: Plinth's own failures, some of which a retry can outlast.
  UNAVAILABLE: { status: 503, retryable: true, title: 'Service unavailable' },
  BUS_UNAVAILABLE: { status: 500, retryable: true, title: 'Event bus unavailable' },
  STORE_FAILURE: { status: 500, retryable: true, title: 'Store failure' },
  PROCESS_FAILED: { status: 500, retryable: true, title: 'Process failed' },
  TERRAFORM_FAILED: { status: 500, retryable: false, title: 'Terraform failed' },
  INTERNAL: { status: 500, retryable: false, title: 'Internal error' },
} as const;

/** A stable error code; branch on it, never on message text. */
export type ErrorCode = keyof typeof ErrorCodes;
