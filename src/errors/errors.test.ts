import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from './catalog.js';
import { renderErrorsDoc } from './docs.js';
import { ConflictError, InputError, PlinthError, isPlinthError } from './errors.js';

describe('errors', () => {
  it('take status and retryability from the catalog, overridable per error', () => {
    const conflict = new ConflictError('taken');
    expect(conflict.status).toBe(409);
    expect(conflict.retryable).toBe(false);
    expect(new PlinthError('BUS_UNAVAILABLE', 'down').retryable).toBe(true);
    expect(new PlinthError('BUS_UNAVAILABLE', 'down', { retryable: false }).retryable).toBe(false);
    expect(isPlinthError(new InputError('bad'), 'INVALID_INPUT')).toBe(true);
    expect(isPlinthError(new InputError('bad'), 'CONFLICT')).toBe(false);
  });

  it('give every code a client or server status', () => {
    for (const e of Object.values(ErrorCodes)) expect(e.status >= 400 && e.status < 600).toBe(true);
  });

  it('are documented in docs/errors.md, which is generated (npm run docs:config)', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    expect(fs.readFileSync(path.join(root, 'docs', 'errors.md'), 'utf8')).toBe(renderErrorsDoc());
  });
});
