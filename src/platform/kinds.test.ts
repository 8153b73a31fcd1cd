import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, type RequestKind } from '../catalog/index.js';
import { isPlinthError, type FieldProblem } from '../errors/index.js';
import { createSqliteStore } from '../store/index.js';
import { createWorkflowEngine } from '../workflows/index.js';
import { changeSchemaOf, createCatalogService, type CatalogService } from './kinds.js';
import { createPlatform } from './platform.js';

const catalogDir = fileURLToPath(new URL('../../catalog', import.meta.url));

function problemsOf(fn: () => unknown): FieldProblem[] {
  try {
    fn();
  } catch (err) {
    if (isPlinthError(err, 'INVALID_INPUT')) return err.errors ?? [];
    throw err;
  }
  throw new Error('expected INVALID_INPUT');
}

describe('the catalog service', () => {
  let kinds: RequestKind[];
  let catalog: CatalogService;

  beforeAll(async () => {
    kinds = (await loadCatalog(catalogDir)).kinds;
    catalog = createCatalogService(kinds);
  });

  it('serves the domain kinds at their own routes and the rest under /infrastructure', () => {
    expect(catalog.list().map((k) => [k.name, k.links.requests])).toEqual([
      ['application', '/api/v1/applications'],
      ['compute', '/api/v1/infrastructure/compute'],
      ['configuration', '/api/v1/environments/{environment}/applications/{name}/configuration'],
      ['database', '/api/v1/infrastructure/database'],
      ['environment', '/api/v1/environments'],
      ['storage', '/api/v1/infrastructure/storage'],
    ]);
    expect(catalog.resourceKinds().map((k) => k.name)).toEqual(['compute', 'database', 'storage']);
  });

  it('validates against the kind: defaults filled in, each field named with its fix', () => {
    expect(catalog.validate('environment', { name: 'dev1', region: 'eastus2' })).toEqual({
      name: 'dev1',
      region: 'eastus2',
      tier: 'development',
    });
    const problems = problemsOf(() =>
      catalog.validate('application', {
        environment: 'dev1',
        name: 'Web',
        version: '1.0',
        replicas: 500,
        colour: 'red',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'name', fix: expect.stringMatching(/^give a DNS label/) }),
        expect.objectContaining({ field: 'replicas', fix: expect.stringMatching(/0 to 100/) }),
        expect.objectContaining({ field: 'image', message: 'is required' }),
        expect.objectContaining({ field: 'colour', message: 'is not a known field' }),
      ]),
    );
    const keys = problemsOf(() =>
      catalog.validate('configuration', { values: { 'bad key': 'x' } }),
    );
    expect(keys.map((p) => p.field)).toEqual(['values.bad key']);
  });

  it('checks a change: any field but the immutable ones, at least one, no defaults', () => {
    expect(
      changeSchemaOf({ type: 'object', required: ['a'], properties: { a: {} } }, ['a']),
    ).toMatchObject({ minProperties: 1, properties: {} });
    expect(catalog.validateChange('storage', { size_gb: 20 }, ['name'])).toEqual({ size_gb: 20 });
    expect(problemsOf(() => catalog.validateChange('storage', {}, ['name']))).toEqual([
      expect.objectContaining({ field: '', message: 'changes nothing' }),
    ]);
    expect(
      problemsOf(() => catalog.validateChange('environment', { name: 'x' }, ['name']))[0],
    ).toMatchObject({ field: 'name', message: 'is not a known field' });
  });

  it('gives a platform built without kinds the package catalog’s domain kinds', async () => {
    const logger = pino({ level: 'silent' });
    const store = await createSqliteStore({ filename: ':memory:' });
    const dir = mkdtempSync(path.join(tmpdir(), 'plinth-kinds-'));
    const engine = createWorkflowEngine({ store, logger, dataDir: dir });
    const platform = createPlatform({
      store,
      engine,
      logger,
      dispatcher: { dispatch: async () => undefined },
    });
    expect(platform.catalog.kinds().map((k) => k.name)).toEqual([
      'application',
      'configuration',
      'environment',
    ]);
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
