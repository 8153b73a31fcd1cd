import { ErrorCodes } from './catalog.js';

/** Renders docs/errors.md from the error catalog. */
export function renderErrorsDoc(): string {
  const rows = Object.entries(ErrorCodes).map(
    ([code, e]) => `| \`${code}\` | ${e.status} | ${e.title} | ${e.retryable ? 'yes' : 'no'} |`,
  );
  return [
    '# Errors',
    '',
    '<!-- Generated from src/errors/catalog.ts by `npm run docs:config`; a test fails when it drifts. -->',
    '',
    'Every error Plinth gives has a stable code. The API answers errors as',
    '`application/problem+json` (RFC 9457) with `code`, `detail`, and for input errors an `errors`',
    'list naming each field, what is wrong and the fix. Branch on `code`, never on the text.',
    '',
    '| code | HTTP status | title | a retry can help |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
