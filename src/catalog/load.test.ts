import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestError, isPlinthError } from '../errors/index.js';
import { loadCatalog } from './load.js';

const bus = 'apiVersion: argoproj.io/v1alpha1\nkind: EventBus\nmetadata:\n  name: eventbus\n';
const template = (name: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata:\n  name: ${name}\nspec:\n  templates: []\n`;

describe('loadCatalog', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plinth-catalog-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function put(file: string, text: string): Promise<string> {
    const full = path.join(dir, file);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, text);
    return full;
  }

  async function loadError(): Promise<ManifestError> {
    const err = await loadCatalog(dir).catch((e: unknown) => e);
    if (err instanceof ManifestError) return err;
    throw new Error(`expected a ManifestError, got ${String(err)}`);
  }

  it('reads nested .yaml and .yml files, several documents each, by kind', async () => {
    await put('events/bus.yaml', bus);
    await put(
      'workflows/all.yml',
      `${template('a')}---\n${template('b')}---\napiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: run-\n`,
    );
    await put('README.md', '# not a manifest');
    await put('modules/env/config.yaml', 'not: [a manifest');
    await put('.hidden/x.yaml', 'kind: Unknown');
    const catalog = await loadCatalog(dir);
    expect(catalog.eventBuses.map((m) => m.metadata.name)).toEqual(['eventbus']);
    expect(catalog.workflowTemplates.map((m) => m.metadata.name)).toEqual(['a', 'b']);
    expect(catalog.workflows.map((m) => m.metadata.generateName)).toEqual(['run-']);
    expect(catalog.eventSources).toEqual([]);
    expect(catalog.sensors).toEqual([]);
    expect(catalog.modulesDir).toBe(path.join(dir, 'modules'));
    expect(catalog.files).toEqual([
      path.join(dir, 'events/bus.yaml'),
      path.join(dir, 'workflows/all.yml'),
    ]);
    const b = catalog.entries.find((e) => e.manifest.metadata.name === 'b');
    expect(b?.document.locate(['spec', 'templates'])).toEqual({ line: 13, column: 14 });
  });

  it('refuses an unknown kind at its line', async () => {
    const file = await put(
      'x.yaml',
      `${bus}---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\n`,
    );
    const err = await loadError();
    expect(err.message).toMatch(/unknown kind "Rollout"/);
    expect([err.file, err.line, err.column]).toEqual([file, 7, 7]);
  });

  it('refuses missing names, wrong apiVersions, non-mappings and duplicates', async () => {
    await put('x.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata: {}\n');
    expect((await loadError()).message).toContain('metadata.name is required');
    await put('x.yaml', 'apiVersion: v1\nkind: Sensor\nmetadata:\n  name: s\n');
    expect((await loadError()).message).toContain('must be "argoproj.io/v1alpha1"');
    await put('x.yaml', '- a\n- b\n');
    expect((await loadError()).message).toContain('must be a mapping');
    await put('x.yaml', template('a'));
    await put('y/z.yaml', template('a'));
    const dup = await loadError();
    expect(dup.message).toContain('WorkflowTemplate "a" is defined twice, first at');
    expect(dup.line).toBe(4);
  });

  it('passes YAML errors on with the file', async () => {
    const file = await put('bus.yaml', bus.replace('kind: EventBus', '// the bus\nkind: EventBus'));
    const err = await loadError();
    expect(err.message).toBe(`${file}:2:1: "//" is not a YAML comment (use "#")`);
  });

  it('says when the folder does not exist', async () => {
    const err = await loadCatalog(path.join(dir, 'nope')).catch((e: unknown) => e);
    expect(isPlinthError(err, 'NOT_FOUND')).toBe(true);
  });
});
