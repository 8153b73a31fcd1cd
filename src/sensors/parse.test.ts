import { describe, it, expect } from 'vitest';
import { ManifestError } from '../errors/index.js';
import { parseSensor } from './parse.js';
import { fixture } from './testing/fixtures.js';

function parseError(text: string): ManifestError {
  try {
    parseSensor(text, { file: 's.yaml' });
  } catch (err) {
    if (err instanceof ManifestError) return err;
    throw err;
  }
  throw new Error('expected a ManifestError');
}

describe('parseSensor', () => {
  it('reads the seed published sensor', () => {
    const sensor = parseSensor(fixture('compute-provision-sensor.yaml'));
    expect(sensor.metadata).toMatchObject({
      name: 'compute-provision-sensor',
      namespace: 'argo-events',
    });
    expect(sensor.spec.dependencies[0]).toMatchObject({
      name: 'webhook',
      eventSourceName: 'webhook',
      eventName: 'compute',
    });
    expect(sensor.spec.triggers[0]?.template.k8s?.parameters).toHaveLength(6);
  });

  it('names an unknown trigger type and what runs now, at its line', () => {
    const slack = fixture('http-trigger-sensor.yaml').replace(
      /http:\n.*\n.*\n/,
      'slack:\n          channel: general\n',
    );
    const err = parseError(slack);
    expect(err.code).toBe('INVALID_MANIFEST');
    expect(err.message).toContain('type slack, which Plinth cannot run yet');
    expect(err.errors[0]?.fix).toMatch(/k8s .*argoWorkflow.*http and log/);
    expect(err.file).toBe('s.yaml');
    expect(err.line).toBe(13);
  });

  it('accepts http and log triggers, payload parameters with an empty dest, and Go templates', () => {
    const sensor = parseSensor(`apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: s
spec:
  dependencies:
    - name: d
      eventSourceName: webhook
      eventName: x
  triggers:
    - template:
        name: post
        http:
          url: http://127.0.0.1:1/x
          payload:
            - src: { dependencyName: d, dataTemplate: '{{ .Input.body.name | upper }}' }
              dest: name
            - src: { dependencyName: d, dataKey: body }
              dest: ''
    - template:
        name: log
        log: { intervalSeconds: 5 }
`);
    expect(sensor.spec.triggers).toHaveLength(2);
    const err = parseError(
      fixture('http-trigger-sensor.yaml').replace(
        'method: POST',
        "method: POST\n          payload:\n            - src: { dependencyName: dep, dataTemplate: '{{ .Input.x' }\n              dest: a",
      ),
    );
    expect(err.errors.map((e) => e.field)).toEqual([
      'spec.triggers[0].template.http.payload[0].src.dataTemplate',
    ]);
    expect(err.message).toContain('unclosed action');
  });

  it('reports each problem with its field', () => {
    const err = parseError(`apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: bad
spec:
  dependencies:
    - name: a
      eventSourceName: webhook
      eventName: x
      filters:
        data: [{ path: body.x, type: text, value: [a] }]
    - name: a
      eventSourceName: webhook
  triggers:
    - template:
        name: t
        conditions: a && b
        argoWorkflow:
          source:
            resource: {}
          parameters:
            - src:
                dependencyName: nope
                dataKey: body.#(x=="y"
              dest: spec.x
            - src:
                dependencyName: a
                dataTemplate: "{{ .Input.body }"
              dest: ""
              operation: replace
`);
    const fields = err.errors.map((e) => e.field);
    expect(fields).toEqual([
      'spec.dependencies[0].filters.data[0]',
      'spec.dependencies[1].eventName',
      'spec.dependencies[1].name',
      'spec.triggers[0].template.conditions',
      'spec.triggers[0].template.argoWorkflow.parameters[0].src.dependencyName',
      'spec.triggers[0].template.argoWorkflow.parameters[0].src.dataKey',
      'spec.triggers[0].template.argoWorkflow.parameters[1].dest',
      'spec.triggers[0].template.argoWorkflow.parameters[1].operation',
      'spec.triggers[0].template.argoWorkflow.parameters[1].src.dataTemplate',
    ]);
    expect(err.line).toBe(11);
    expect(err.message).toContain('(and 8 more)');
  });

  it('refuses what is not a Sensor and broken YAML', () => {
    expect(
      parseError('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nspec: {}\n').errors.map(
        (e) => e.field,
      ),
    ).toEqual(['apiVersion', 'kind', 'spec.dependencies', 'spec.triggers']);
    expect(parseError('a: [1\n').line).toBeGreaterThan(0);
  });

  it('accepts an already parsed object', () => {
    const sensor = parseSensor({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Sensor',
      metadata: { name: 's' },
      spec: {
        dependencies: [{ name: 'd', eventSourceName: 'e', eventName: 'n' }],
        triggers: [{ template: { name: 't', k8s: { source: { resource: {} } } } }],
      },
    });
    expect(sensor.metadata.name).toBe('s');
  });

  it('reads transforms, dlqTriggers (checked as triggers) and argoWorkflow args', () => {
    expect(parseSensor(fixture('transform-sensor.yaml')).spec.dependencies[0]?.transform).toEqual({
      jq: '.body.item |= ascii_upcase | .body.count += 1',
    });
    const dlq = parseSensor(fixture('dlq-sensor.yaml')).spec.triggers[0]?.dlqTrigger;
    expect(dlq?.template.name).toBe('order-failed');
    expect(
      parseSensor(fixture('submit-args-sensor.yaml')).spec.triggers[0]?.template.argoWorkflow?.args,
    ).toContain('--entrypoint=release');

    const badTransform = parseError(
      fixture('transform-sensor.yaml').replace(
        "jq: '.body.item |= ascii_upcase | .body.count += 1'",
        'jq: [1]',
      ),
    );
    expect(badTransform.errors[0]).toMatchObject({
      field: 'spec.dependencies[0].transform.jq',
      message: 'jq must be a string',
    });
    const unknownDependency = parseError(
      fixture('dlq-sensor.yaml').replace(/(dlqTrigger:[\s\S]*dependencyName: )order/, '$1nobody'),
    );
    expect(unknownDependency.errors[0]?.field).toBe(
      'spec.triggers[0].dlqTrigger.template.argoWorkflow.parameters[0].src.dependencyName',
    );
  });
});
