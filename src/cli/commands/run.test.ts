import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { memoryIO } from '../testing/fake-api.js';

const testdata = path.join(import.meta.dirname, '..', '..', 'workflows', 'testdata');

describe('plinth run', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'plinth-run-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  it('prints the final Argo-shaped Workflow with -o json and exits 0 on success', async () => {
    const io = memoryIO({}, { cwd: testdata });
    const code = await runCli(['run', 'loops.yaml', '-o', 'json'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const wf = JSON.parse(io.out()) as {
      status: { phase: string; nodes: Record<string, Record<string, unknown>> };
    };
    expect(wf.status.phase).toBe('Succeeded');
    const node = Object.values(wf.status.nodes).find((n) => n.name === 'loops[2].sum');
    expect(node).toMatchObject({
      displayName: 'sum',
      type: 'Pod',
      templateName: 'echo',
      phase: 'Succeeded',
      outputs: { exitCode: '0', result: expect.stringContaining('[1,4,9]') },
    });
    expect(node?.id).toBe(Object.keys(wf.status.nodes).find((k) => wf.status.nodes[k] === node));
  });

  it('exits 1 on a failed Workflow and shows progress and a summary without -o json', async () => {
    const io = memoryIO({}, { cwd: testdata });
    expect(await runCli(['run', 'failing.yaml'], io)).toBe(1);
    expect(io.err()).toMatch(/failing\[1\]\.boom: Failed \(Error \(exit code 3\)\)/);
    expect(io.out()).toMatch(/^Name: +failing$/m);
    expect(io.out()).toMatch(/^Phase: +Failed$/m);
    expect(io.out()).toContain('✖ boom');
  });

  it('loads WorkflowTemplates with --templates and sets arguments with -p', async () => {
    const wf = write(
      'uses-ref.yaml',
      `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: uses-ref- }
spec:
  workflowTemplateRef: { name: greetings }
`,
    );
    write('templates/greetings.yaml', `---\n# none\n---\n${readTemplate()}`);
    const io = memoryIO({}, { cwd: dir });
    const code = await runCli(
      ['run', wf, '--templates', 'templates', '-p', 'greeting=hej', '-o', 'json'],
      io,
    );
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(io.out()) as {
      status: { nodes: Record<string, { displayName: string; outputs?: { result?: string } }> };
    };
    const say = Object.values(out.status.nodes).find((n) => n.displayName === 'say');
    expect(say?.outputs?.result).toBe('hej nobody');
  });

  it('gives parameters the ConfigMaps found in --templates', async () => {
    write(
      'maps/shelf.yaml',
      `apiVersion: v1
kind: ConfigMap
metadata: { name: shelf-settings }
data: { colour: amber, label: pine shelf }
`,
    );
    const io = memoryIO({}, { cwd: dir });
    const code = await runCli(
      [
        'run',
        path.join(testdata, 'configmap-parameters.yaml'),
        '--templates',
        'maps',
        '-o',
        'json',
      ],
      io,
    );
    expect(code).toBe(0);
    const out = JSON.parse(io.out()) as {
      status: { nodes: Record<string, { displayName: string; outputs?: { result?: string } }> };
    };
    const results = Object.values(out.status.nodes).map((n) => n.outputs?.result);
    expect(results).toContain('paint amber');
    expect(results).toContain('pine shelf / plain');
  });

  it('reports YAML and shape errors as FILE:LINE:COL: error and exits 2, an invalid spec as a Failed Workflow', async () => {
    write('broken.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: [\n');
    let io = memoryIO({}, { cwd: dir });
    expect(await runCli(['run', 'broken.yaml'], io)).toBe(2);
    expect(io.err()).toMatch(/^broken\.yaml:\d+:\d+: error: /);

    write(
      'shape.yaml',
      '# a Workflow without templates\napiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: { name: x }\nspec: { entrypoint: main }\n',
    );
    io = memoryIO({}, { cwd: dir });
    expect(await runCli(['run', 'shape.yaml'], io)).toBe(2);
    expect(io.err()).toBe(
      'shape.yaml:2:1: error: spec.templates or spec.workflowTemplateRef is required\n',
    );

    write(
      'missing.yaml',
      `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { name: missing }
spec:
  entrypoint: main
  templates:
    - name: main
      steps: [[{ name: a, template: nowhere }]]
`,
    );
    io = memoryIO({}, { cwd: dir });
    expect(await runCli(['run', 'missing.yaml'], io)).toBe(1);
    expect(io.err()).toContain("templates.main.steps[0].a template name 'nowhere' undefined");
    io = memoryIO({}, { cwd: dir });
    expect(await runCli(['run', 'missing.yaml', '-o', 'json'], io)).toBe(1);
    expect(JSON.parse(io.out())).toMatchObject({
      metadata: { name: 'missing' },
      status: {
        phase: 'Failed',
        message: "invalid spec: templates.main.steps[0].a template name 'nowhere' undefined",
      },
    });

    io = memoryIO({}, { cwd: dir });
    expect(await runCli(['run', 'absent.yaml'], io)).toBe(2);
    expect(io.err()).toMatch(/^absent\.yaml: error: cannot read: ENOENT/);
  });
});

function readTemplate(): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: greetings
spec:
  entrypoint: greet
  arguments:
    parameters: [{ name: greeting, value: hi }]
  templates:
    - name: greet
      inputs:
        parameters: [{ name: name, default: nobody }]
      steps:
        - - name: say
            template: say
            arguments:
              parameters:
                - name: text
                  value: '{{workflow.parameters.greeting}} {{inputs.parameters.name}}'
    - name: say
      inputs: { parameters: [{ name: text }] }
      container:
        image: alpine
        command: [echo, '{{inputs.parameters.text}}']
`;
}
