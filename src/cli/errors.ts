import { isPlinthError, type PlinthError } from '../errors/index.js';

/** The lines that explain a PlinthError to a person: the detail, then each field and its fix. */
export function describeError(err: PlinthError): string[] {
  const lines = [`plinth: ${err.message}`];
  for (const p of err.errors) {
    const fix = p.fix ? ` (fix: ${p.fix})` : '';
    lines.push(`  ${p.field ? `${p.field}: ` : ''}${p.message}${fix}`);
  }
  if (err.code === 'UNAUTHENTICATED') {
    lines.push('  set PLINTH_TOKEN or pass --token (the first `plinth up` prints an admin token)');
  }
  return lines;
}

/**
 * A configuration problem on one line each: `plinth: what (fix)`. A manifest
 * error already names its file, line and column.
 */
export function describeConfigError(err: PlinthError): string[] {
  if (err.code === 'INVALID_INPUT' && err.errors.length > 0) {
    return err.errors.map((p) => `plinth: ${p.message}${p.fix ? ` (${p.fix})` : ''}`);
  }
  return describeError(err);
}

/** Whether an error means the configuration or catalog must change (exit 2). */
export function isConfigError(err: unknown): err is PlinthError {
  return isPlinthError(err, 'INVALID_INPUT') || isPlinthError(err, 'INVALID_MANIFEST');
}
