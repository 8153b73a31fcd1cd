import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toSensorEvent } from '../events.js';
import { webhookEvent } from '../testing/fixtures.js';
import type { TriggerTemplate } from '../types.js';
import { k8sTrigger } from './k8s.js';

const workflowYaml = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: from-file-
spec:
  entrypoint: main
  arguments:
    parameters:
      - name: who
        value: nobody
`;

describe('a trigger source read from a file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plinth-source-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const events = new Map([
    ['dep', toSensorEvent(webhookEvent('e1', 'webhook', 'x', { who: 'ana' }))],
  ]);
  const sensor = { name: 's', namespace: 'plinth' };

  function template(file: string): TriggerTemplate {
    return {
      name: 'from-file',
      k8s: {
        operation: 'create',
        source: { file: { path: file } },
        parameters: [
          {
            src: { dependencyName: 'dep', dataKey: 'body.who' },
            dest: 'spec.arguments.parameters.0.value',
          },
        ],
      },
    };
  }

  it('reads the Workflow from the file at each firing, then applies the parameters', async () => {
    const file = path.join(dir, 'workflow.yaml');
    await writeFile(file, workflowYaml);
    expect(k8sTrigger.resolve(template(file), events, sensor)).toMatchObject({
      metadata: { generateName: 'from-file-', namespace: 'plinth' },
      spec: { arguments: { parameters: [{ name: 'who', value: 'ana' }] } },
    });
  });

  it('fails naming the file when it cannot be read', () => {
    const file = path.join(dir, 'missing.yaml');
    expect(() => k8sTrigger.resolve(template(file), events, sensor)).toThrow(
      `cannot read ${file} (ENOENT)`,
    );
  });
});
