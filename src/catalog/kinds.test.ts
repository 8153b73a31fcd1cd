import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isPlinthError } from '../errors/index.js';
import { loadRequestKinds, parseRequestKind } from './kinds.js';
import { loadCatalog } from './load.js';
import { parseManifests } from './parse.js';

/** The shipped catalog's request kinds, in name order. */
const SIX_KINDS = ['application', 'compute', 'configuration', 'database', 'environment', 'storage'];

const here = path.dirname(fileURLToPath(import.meta.url));
const catalogDir = path.resolve(here, '../../catalog');
const testdata = path.join(here, 'testdata');

function kindOf(yaml: string) {
  const [doc] = parseManifests(yaml, 'kinds/x.yaml');
  if (!doc) throw new Error('no document');
  return parseRequestKind(doc);
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

const valid = `apiVersion: plinth.dev/v1alpha1
kind: RequestKind
metadata:
  name: queue
spec:
  title: Queue
  description: A message queue.
  eventSourceName: infrastructure
  eventName: queue
  workflowTemplate: queue
  schema:
    type: object
    properties:
      size: {type: integer}
`;

describe('request kinds', () => {
  it('reads the shipped kinds with their schemas', async () => {
    const kinds = await loadRequestKinds(catalogDir);
    expect(kinds.map((k) => k.name)).toEqual(SIX_KINDS);
    const compute = kinds.find((k) => k.name === 'compute');
    expect(compute).toMatchObject({
      title: 'Compute',
      eventSourceName: 'infrastructure',
      eventName: 'compute',
      workflowTemplate: 'compute',
      module: 'compute',
      approval: true,
    });
    // The published seed's six fields, all required.
    expect(compute?.schema['required']).toEqual([
      'region',
      'cloud_provider',
      'resource_type',
      'environment',
      'requester_name',
      'requester_email',
    ]);
  });

  it('checks the references of the shipped kinds when the catalog loads', async () => {
    const catalog = await loadCatalog(catalogDir);
    expect(catalog.kinds.map((k) => k.name)).toEqual(SIX_KINDS);
    // Kind entries are not Argo manifests: they are not among the catalog's entries.
    expect(
      catalog.entries.some((e) => e.document.file.includes(`${path.sep}kinds${path.sep}`)),
    ).toBe(false);
  });

  it('defaults approval to true and module to none', () => {
    expect(kindOf(valid)).toMatchObject({ name: 'queue', approval: true, module: null });
  });

  it('refuses an entry that is not a RequestKind, with its line', () => {
    const err = (() => {
      try {
        kindOf(valid.replace('kind: RequestKind', 'kind: Sensor'));
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a failure');
    })();
    expect(isPlinthError(err, 'INVALID_MANIFEST')).toBe(true);
    expect(err.message).toMatch(/^kinds\/x\.yaml:2:\d+: .*kind: RequestKind/);
  });

  it('refuses a missing title and a schema that is not an object schema', () => {
    expect(() => kindOf(valid.replace('  title: Queue\n', ''))).toThrow(/spec\.title/);
    expect(() => kindOf(valid.replace('    type: object\n', ''))).toThrow(/type: object/);
    expect(() => kindOf(valid.replace('name: queue', 'name: Queue_1'))).toThrow(/metadata\.name/);
  });

  it('refuses a schema that is not valid JSON Schema, naming the file', async () => {
    const err = await failure(loadRequestKinds(path.join(testdata, 'kinds-bad')));
    expect(isPlinthError(err, 'INVALID_MANIFEST')).toBe(true);
    expect(err.message).toContain('queue.yaml');
    expect(err.message).toContain('spec.schema is not a valid JSON Schema');
  });

  it('refuses a kind whose event, template or module the catalog does not define', async () => {
    const err = await failure(loadCatalog(path.join(testdata, 'kinds-missing-ref')));
    expect(isPlinthError(err, 'INVALID_MANIFEST')).toBe(true);
    expect(err.message).toContain(
      'posts to event "queue" of EventSource "infrastructure", which the catalog does not define',
    );
  });
});
