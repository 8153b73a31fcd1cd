export { ErrorCodes, type ErrorCode } from './catalog.js';
export {
  PlinthError,
  InputError,
  ManifestError,
  UnauthenticatedError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  isPlinthError,
  type FieldProblem,
  type PlinthErrorOptions,
} from './errors.js';
export { renderErrorsDoc } from './docs.js';
