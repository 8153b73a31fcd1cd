import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { createLinter, formatFinding, type Finding, type LintReport } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const linter = createLinter({ cwd: here });

/** `LINE:COLUMN severity rule` of each finding, for exact comparisons. */
const brief = (r: LintReport): string[] =>
  r.findings.map((f: Finding) => `${f.line}:${f.column} ${f.severity} ${f.rule}`);

const only = (r: LintReport, rule: string) => r.findings.filter((f) => f.rule === rule);

describe('plinth lint: YAML that is not YAML', () => {
  it('reports each "//" comment of the seed document as printed, with its line', async () => {
    const r = await linter.lintPaths(['testdata/yaml/seed-as-printed.yaml.txt']);
    expect(brief(r)).toEqual([
      '10:7 error yaml-syntax',
      '12:7 error yaml-syntax',
      '27:5 error yaml-syntax',
    ]);
    expect(formatFinding(r.findings[0]!)).toBe(
      'testdata/yaml/seed-as-printed.yaml.txt:10:7: error: "//" is not a YAML comment (start the comment with "#")',
    );
  });

  it('keeps checking the other documents of a file with a broken one', async () => {
    const r = await linter.lintPaths(['testdata/yaml/mixed.yaml.txt']);
    expect(brief(r)).toEqual([
      '7:3 warning unknown-field',
      '17:1 error yaml-syntax',
      '19:1 error manifest',
      '24:7 error unknown-kind',
      '29:7 warning unknown-kind',
    ]);
    expect(r.findings[0]?.fix).toBe('did you mean "jetstream"?');
    expect(r.findings[1]?.message).toContain('Tabs');
    expect(r.findings[3]?.fix).toBe('did you mean "Workflow"?');
  });
});

describe('plinth lint: unknown fields', () => {
  it('finds a typo at every level, with a "did you mean"', async () => {
    const r = await linter.lintPaths(['testdata/fields/bad.yaml']);
    const found = r.findings.map((f) => `${f.line}:${f.column} ${f.message} ${f.fix}`);
    const expected: [string, string, string][] = [
      ['5:3', 'lables', 'labels'],
      ['8:3', 'entrypiont', 'entrypoint'],
      ['15:13', 'argument', 'arguments'],
      ['25:9', 'limt', 'limit'],
      ['26:7', 'contianer', 'container'],
      ['30:9', 'duraton', 'duration'],
      ['40:3', 'dependecies', 'dependencies'],
      ['49:13', 'typ', 'type'],
      ['55:11', 'intervalSecond', 'intervalSeconds'],
      ['59:11', 'operaton', 'operation'],
      ['70:21', 'scirpt', 'script'],
      ['76:17', 'dataKy', 'dataKey'],
      ['87:7', 'endpont', 'endpoint'],
      ['96:5', 'versoin', 'version'],
    ];
    for (const [at, field, near] of expected) {
      expect(found).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${at} unknown field "${field}".*did you mean "${near}"\\?$`),
        ),
      );
    }
    expect(found).toContainEqual(
      expect.stringMatching(/^33:9 spec\.templates\[3\]\.steps must be a list/),
    );
    // Argo Events decodes leniently and ignores what it does not know: those are warnings.
    const events = [
      'dependecies',
      'typ',
      'intervalSecond',
      'operaton',
      'dataKy',
      'endpont',
      'versoin',
    ];
    for (const f of r.findings.filter((f) => events.some((e) => f.message.includes(`"${e}"`)))) {
      expect(f.severity).toBe('warning');
      expect(f.message).toMatch(/Argo Events ignores it$/);
    }
    // A Workflow inside a Sensor is checked by Argo only when the trigger creates it.
    const inSensor = r.findings.find((f) => f.message.includes('"scirpt"'));
    expect(inSensor?.severity).toBe('warning');
    expect(r.errors).toBe(expected.length + 1 - events.length - 1);
  });

  it('accepts every documented level, a webhook without url and no pod-only field', async () => {
    const r = await linter.lintPaths(['testdata/fields/good.yaml']);
    expect(r.findings).toEqual([]);
  });

  it('warns on deprecated fields that Argo still reads', () => {
    const r = linter.lintSources([
      {
        file: 'sync.yaml',
        text: [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: WorkflowTemplate',
          'metadata: {name: sync}',
          'spec:',
          '  templates:',
          '    - name: one',
          '      synchronization:',
          '        mutex: {name: m, nmae: x}',
          '      suspend: {}',
        ].join('\n'),
      },
    ]);
    expect(brief(r)).toEqual(['8:9 warning unknown-field', '8:26 error unknown-field']);
  });
});

describe('plinth lint: references across files', () => {
  it('reports missing templates, templateRefs, entrypoint, onExit and dag task names', async () => {
    const r = await linter.lintPaths(['testdata/refs/bad/workflows.yaml']);
    const messages = r.findings.map((f) => `${f.line}:${f.column} ${f.message} (${f.fix})`);
    expect(messages).toEqual([
      '17:3 spec.entrypoint is required (set entrypoint: to the template to run first, one of: main, notify)',
      '17:11 no template "cleanup" in Workflow "refs-" (use one of: main, notify)',
      '25:25 WorkflowTemplate "library" has no template "plam" (did you mean "plan"?)',
      '28:21 WorkflowTemplate "librari" is not among the files linted, so its templates were not checked (did you mean "library"? If not, lint this file together with the file that defines WorkflowTemplate "librari")',
      '30:27 template "main" uses both depends and dependencies in one dag (write every task\'s dependencies as depends: "a && b")',
      '30:34 no dag task "aprove" in this dag (use one of: apply, notify, plan)',
      '32:23 templates.main.tasks.notify template name \'notfy\' undefined: no template "notfy" in Workflow "refs-" (did you mean "notify"?)',
      '33:50 no dag task "ghost" in this dag (use one of: apply, notify, plan)',
      '46:11 WorkflowTemplate "missing-library" is not among the files linted, so its templates were not checked (lint this file together with the file that defines WorkflowTemplate "missing-library")',
    ]);
  });

  it('reports eventBusName, eventSourceName, eventName and dependencyName that nothing defines', async () => {
    const r = await linter.lintPaths(['testdata/refs/bad/events.yaml']);
    expect(brief(r)).toEqual([
      '26:17 error event-bus-ref',
      '29:24 error event-bus-ref',
      '30:18 warning event-source-ref',
      '32:24 warning event-source-ref',
      '40:29 error dependency-ref',
    ]);
    expect(r.findings[0]?.fix).toBe('did you mean "eventbus-nats"?');
    expect(r.findings[2]?.fix).toBe('did you mean "compute"?');
  });

  it('finds nothing when every reference resolves, in any file order', async () => {
    expect((await linter.lintPaths(['testdata/refs/good'])).findings).toEqual([]);
  });

  it('only warns about a reference to a kind that none of the files defines', () => {
    const workflow = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Workflow',
      'metadata: {generateName: lonely-}',
      'spec:',
      '  workflowTemplateRef: {name: elsewhere}',
    ].join('\n');
    const r = linter.lintSources([{ file: 'w.yaml', text: workflow }]);
    expect(brief(r)).toEqual(['5:31 warning template-ref']);
    expect(r.errors).toBe(0);
  });
});

describe('plinth lint: parameters', () => {
  it('reports undeclared inputs and workflow parameters, unknown steps and tasks, missing arguments and bad dests', async () => {
    const r = await linter.lintPaths(['testdata/params/bad.yaml']);
    expect(brief(r)).toEqual([
      '19:27 error parameters',
      '21:13 error parameters',
      '25:27 error parameters',
      '35:49 error parameters',
      '44:27 error parameters',
      '53:24 warning event-source-ref',
      '85:21 warning trigger-dest',
      '89:21 warning trigger-dest',
    ]);
    const text = r.findings.map((f) => f.message).join('\n');
    expect(text).toContain('{{workflow.parameters.regoin}}');
    expect(text).toContain(
      'templates.main.steps[1].apply templates.plan inputs.parameters.region was not supplied',
    );
    expect(text).toContain('no step "plam"');
    expect(text).toContain('no input parameter "zone"');
    expect(text).toContain('no dag task "frist"');
    expect(text).toContain('spec.arguments.parameters has 1 item, so its last index is 0');
    expect(text).toContain('spec has no "argument"; it has "arguments"');
  });
});

describe('plinth lint: host steps', () => {
  it('warns where shell text interpolates a parameter, and tells to use env', async () => {
    const r = await linter.lintPaths(['testdata/security/bad.yaml']);
    expect(brief(r)).toEqual(['16:23 warning script-injection', '25:22 warning script-injection']);
    expect(r.findings[0]?.fix).toContain('pass it through env');
    expect(r.errors).toBe(0);
  });

  it('is quiet when parameters reach the script through env or argv', async () => {
    expect((await linter.lintPaths(['testdata/security/good.yaml'])).findings).toEqual([]);
  });

  it('notes pod-only fields once per file, as a warning', async () => {
    const r = await linter.lintPaths(['testdata/pod-only.yaml']);
    expect(brief(r)).toEqual(['7:3 warning pod-only-field']);
    expect(r.findings[0]?.message).toBe(
      'note: serviceAccountName, podSpecPatch, nodeSelector, tolerations, resources are recorded and ignored on one machine',
    );
  });
});

describe('plinth lint: the published seed (blog-final)', () => {
  const files = [
    'testdata/blog-final/compute-provision-sensor.yaml.txt',
    'testdata/blog-final/compute-provision-workflowtemplate.yaml.txt',
  ];

  it('reports every mistake its README lists', async () => {
    const r = await linter.lintPaths(files);
    const lines = r.findings.map(formatFinding);
    const sensor = files[0]!;
    const template = files[1]!;
    expect(lines).toContain(
      `${sensor}:7:17: warning: eventBusName "eventbus-main" names an EventBus that is not among the files linted (lint this file together with the EventBus it uses, or name the EventBus you deploy)`,
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${template}:65:7: error: unknown field "parameters" .*belongs to a Sensor trigger`,
        ),
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${template}:30:11: warning: runs sudo: .*without sudo`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${template}:30:36: warning: assumes the home directory /home/devops`),
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${template}:56:11: warning: runs sudo`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${sensor}:15:7: warning: unknown field "eventBusName".*Argo Events ignores it`,
        ),
      ),
    );
    // Both files together: the templateRefs of the sensor's dag resolve.
    expect(only(r, 'template-ref')).toEqual([]);
    expect(r.errors).toBe(1);
  });

  it('makes eventbus-main an error next to the seed EventBus, naming the defined one', async () => {
    const seed = path.join(root, 'catalog/events');
    const r = await linter.lintPaths([seed, ...files]);
    const bus = only(r, 'event-bus-ref');
    expect(bus.map((f) => `${f.line}:${f.column} ${f.severity}`)).toEqual([
      '7:17 error',
      '12:24 error',
    ]);
    expect(bus[0]?.fix).toBe('use eventBusName: eventbus');
    expect(only(r, 'event-source-ref').map((f) => f.message)).toEqual([
      'EventSource "webhook" has no event "compute", so this dependency never matches',
    ]);
  });
});

describe('plinth lint: the shipped catalog', () => {
  it('has no errors', async () => {
    const r = await linter.lintPaths([path.join(root, 'catalog')]);
    expect(r.findings.filter((f) => f.severity === 'error').map(formatFinding)).toEqual([]);
    expect(r.files.length).toBeGreaterThan(0);
  });
});

describe('plinth lint: YAML as Argo reads it', () => {
  it('warns, without errors, on a repeated key and a flow value continued at its key', async () => {
    const r = await linter.lintPaths(['testdata/yaml/go-yaml.yaml.txt']);
    expect(brief(r)).toEqual(['7:3 warning yaml-syntax', '19:1 warning yaml-syntax']);
    expect(r.errors).toBe(0);
  });
});

describe('plinth lint: values, expressions and outputs', () => {
  it('reports enums, when, {{=...}}, depends, outputs and input artifacts that are wrong', async () => {
    const r = await linter.lintPaths(['testdata/checks/workflow-bad.yaml']);
    expect(
      r.findings
        .filter((f) => f.severity === 'error')
        .map((f) => `${f.line}:${f.column} ${f.rule} ${f.fix}`),
    ).toEqual([
      '8:15 enum-value did you mean "OnPodCompletion"?',
      '16:19 expression write a govaluate expression such as "{{steps.flip.outputs.result}} == heads"; quote values with spaces or symbols',
      '20:27 output-ref did you mean "region"?',
      '23:26 output-ref declare it under outputs.artifacts of template "produce" (- name: missing)',
      '27:22 enum-value use one of: Always, OnFailure, OnError, OnTransientError',
      '30:26 enum-value use one of: Always, IfNotPresent, Never',
      "51:14 expression write it in Argo's expr syntax, e.g. {{=asInt(inputs.parameters.n) + 1}}",
      '52:14 parameters did you mean "data"?',
      '60:22 expression join task names (optionally .Succeeded, .Failed, ...) with &&, ||, ! and parentheses',
      '64:27 output-ref declare it under outputs.parameters of template "produce" (- name: nope)',
      '68:21 expression write it in Argo\'s expr syntax, e.g. lastRetry.status == "Error"',
    ]);
  });

  it('accepts the same workflow written right, and tags where an enum goes', async () => {
    const r = await linter.lintPaths(['testdata/checks/workflow-good.yaml']);
    expect(r.errors).toBe(0);
    expect(brief(r)).toEqual(['7:3 warning pod-only-field']);
  });

  it('reports sensor enums, filters, conditions and dests that Argo would refuse or drop', async () => {
    const r = await linter.lintPaths(['testdata/checks/sensor-bad.yaml']);
    const errors = r.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.line}:${f.column} ${f.rule}`)).toEqual([
      '10:31 enum-value',
      '12:30 enum-value',
      '15:19 enum-value',
      '17:25 enum-value',
      '19:19 expression',
      '26:30 dependency-ref',
      '28:22 enum-value',
      '46:26 enum-value',
      '51:17 trigger-dest',
      '54:21 expression',
      '57:19 enum-value',
      '62:21 trigger-dest',
    ]);
    expect(errors.map((f) => f.message)).toContain(
      'conditions name "tag", which is not a dependency of this Sensor',
    );
    expect(errors.find((f) => f.line === 51)?.fix).toBe('did you mean "operation"?');
    expect(errors.find((f) => f.line === 62)?.fix).toBe('did you mean "url"?');
  });

  it('accepts trigger parameters that rewrite the template, http dests and payloads', async () => {
    const r = await linter.lintPaths(['testdata/checks/sensor-good.yaml']);
    expect(r.errors).toBe(0);
    expect(brief(r)).toEqual(['8:24 warning event-source-ref']);
  });
});

describe('plinth lint: Plinth catalog files', () => {
  it('checks request kinds and the tier policy as plinth up loads them', async () => {
    const catalog = path.join(root, 'catalog');
    const r = await linter.lintPaths([
      'testdata/catalog',
      path.join(catalog, 'events'),
      path.join(catalog, 'workflows'),
    ]);
    expect(r.findings.map(formatFinding)).toEqual([
      'testdata/catalog/kinds/bad.yaml:11:13: error: spec.approval must be true or false (write the request kind as catalog/README.md describes)',
      'testdata/catalog/kinds/bad.yaml:26:14: error: EventSource "infrastructure" has no webhook event "topics", which requests of this kind are posted to (use one of: compute, database, storage)',
      'testdata/catalog/policies/tiers.json:1:1: error: tiers.development.approval must be one of none, team-approver, another-approver (each tier needs approval:, needsApproval: and expires:)',
    ]);
  });

  it('skips Terraform files quietly, named or in a folder', async () => {
    const modules = path.join(root, 'catalog/modules/environment');
    const r = await linter.lintPaths([modules, path.join(modules, 'main.tf')]);
    expect(r.files).toEqual([]);
    expect(r.findings).toEqual([]);
  });

  it('finds nothing at all in the shipped catalog, .tf files skipped', async () => {
    const r = await linter.lintPaths([path.join(root, 'catalog')]);
    expect(r.findings.map(formatFinding)).toEqual([]);
    expect(r.files.some((f) => f.endsWith('tiers.json'))).toBe(true);
    expect(r.files.some((f) => f.endsWith('.tf'))).toBe(false);
  });

  it('notes the local artifact as a Plinth extension that Argo does not know', () => {
    const r = linter.lintSources([
      {
        file: 'local.yaml',
        text: [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: WorkflowTemplate',
          'metadata: {name: local}',
          'spec:',
          '  templates:',
          '    - name: main',
          '      inputs:',
          '        artifacts:',
          '          - {name: plan, path: /tmp/plan, local: {key: plans/a}}',
          '      container: {image: alpine}',
        ].join('\n'),
      },
    ]);
    expect(brief(r)).toEqual(['9:43 warning plinth-extension']);
  });
});
