import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../errors/index.js';
import { parseManifests } from './parse.js';

const asPrinted = fileURLToPath(
  new URL('./testdata/eventbus-as-printed.yaml.txt', import.meta.url),
);

function parseError(
  text: string,
  file = 'x.yaml',
  options?: Parameters<typeof parseManifests>[2],
): ManifestError {
  try {
    parseManifests(text, file, options);
  } catch (err) {
    if (err instanceof ManifestError) return err;
    throw err;
  }
  throw new Error('expected a ManifestError');
}

describe('parseManifests', () => {
  it('points at the "//" comment of the EventBus as the seed document prints it', () => {
    const err = parseError(readFileSync(asPrinted, 'utf8'), 'catalog/events/eventbus.yaml');
    expect(err.message).toBe(
      'catalog/events/eventbus.yaml:9:7: "//" is not a YAML comment (use "#")',
    );
    expect([err.line, err.column]).toEqual([9, 7]);
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.errors.map((e) => e.field)).toEqual([
      'catalog/events/eventbus.yaml:9:7',
      'catalog/events/eventbus.yaml:11:7',
    ]);
  });

  it('finds a "//" comment at the top of a file and leaves "//" inside strings alone', () => {
    expect(parseError('// a manifest\nkind: EventBus\n').message).toBe(
      'x.yaml:1:1: "//" is not a YAML comment (use "#")',
    );
    const [doc] = parseManifests(
      'kind: WorkflowTemplate\nsource: |\n  // a script comment\n  run()\nurl: "//host"\n',
      'x.yaml',
    );
    expect(doc?.object).toEqual({
      kind: 'WorkflowTemplate',
      source: '// a script comment\nrun()\n',
      url: '//host',
    });
  });

  it('reports other YAML errors with their position and a fix', () => {
    const tab = parseError('kind: Sensor\nspec:\n\tfoo: 1\n');
    expect(tab.line).toBe(3);
    expect(tab.message).toMatch(/^x\.yaml:3:1: .*\(indent with spaces, never tabs\)$/);
    const dup = parseError('kind: Sensor\nmetadata:\n  name: a\n  name: b\n', 'x.yaml', {
      goCompatible: false,
    });
    expect([dup.line, dup.column]).toEqual([4, 3]);
    expect(dup.message).toContain('(remove or rename one of the repeated keys)');
    const quote = parseError('kind: Sensor\nname: "open\n');
    expect(quote.message).toContain('(add the missing closing quote or bracket)');
  });

  it('reads every document of a file and locates paths in each', () => {
    const text = [
      '# first',
      'kind: WorkflowTemplate',
      'spec:',
      '  templates:',
      '    - name: a',
      '    - name: b',
      '      suspend: {}',
      '---',
      '# only a comment',
      '---',
      'kind: Sensor',
      'metadata:',
      '  name:',
      '',
    ].join('\n');
    const docs = parseManifests(text, 'multi.yaml');
    expect(docs.map((d) => [d.index, d.position.line])).toEqual([
      [0, 2],
      [2, 11],
    ]);
    const [first, second] = docs;
    expect(first?.locate(['spec', 'templates', 1, 'name'])).toEqual({ line: 6, column: 13 });
    expect(first?.locateKey(['spec', 'templates', 1, 'name'])).toEqual({ line: 6, column: 7 });
    expect(first?.locate(['spec', 'templates', 1, 'suspend'])).toEqual({ line: 7, column: 16 });
    // A path that does not exist points at its deepest existing ancestor.
    expect(first?.locate(['spec', 'templates', 5, 'name'])).toEqual({ line: 5, column: 5 });
    expect(first?.locate(['spec', 'entrypoint'])).toEqual({ line: 4, column: 3 });
    expect(second?.object).toEqual({ kind: 'Sensor', metadata: { name: null } });
    expect(second?.locate(['metadata', 'name'])).toEqual({ line: 13, column: 3 });
  });

  it('refuses alias bombs', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 6; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      lines.push(`${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`);
    }
    expect(() => parseManifests(lines.join('\n'), 'bomb.yaml')).toThrow(ManifestError);
  });
});

describe('parseManifests reads what Argo reads', () => {
  const continued = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Workflow',
    'spec:',
    '  templates:',
    '  - name: main',
    '    container:',
    '      args: ["echo one',
    '      two"]',
    '',
  ].join('\n');

  it('accepts a flow value continued no deeper than its key, as Go does', () => {
    const [doc] = parseManifests(continued, 'wf.yaml');
    const spec = (doc?.object as { spec: { templates: { container: { args: string[] } }[] } }).spec;
    expect(spec.templates[0]?.container.args).toEqual(['echo one two']);
  });

  it('lets a repeated key keep its last value', () => {
    const [doc] = parseManifests('kind: Workflow\nkind: WorkflowTemplate\n', 'wf.yaml');
    expect(doc?.object).toEqual({ kind: 'WorkflowTemplate' });
  });

  it('stays strict when asked, and still refuses text Go refuses too', () => {
    expect(() => parseManifests(continued, 'wf.yaml', { goCompatible: false })).toThrow(
      ManifestError,
    );
    expect(() => parseManifests('// a comment\nkind: Workflow\n', 'wf.yaml')).toThrow(
      ManifestError,
    );
  });
});
