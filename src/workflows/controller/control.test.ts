import { describe, expect, it } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import {
  parseWorkflow,
  runToCompletion,
  type NodeStatus,
  type Workflow,
  type WorkflowEngine,
} from '../index.js';
import { useTestEngine, workflowFixture } from '../testing/engine.js';

function nodes(wf: Workflow): NodeStatus[] {
  return Object.values(wf.status?.nodes ?? {});
}

function byName(wf: Workflow, name: string): NodeStatus {
  const node = nodes(wf).find((n) => n.name === name);
  if (!node)
    throw new Error(
      `no node ${name} in ${nodes(wf)
        .map((n) => n.name)
        .join(', ')}`,
    );
  return node;
}

function inline(yaml: string): Workflow {
  return parseWorkflow(`apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n${yaml}`);
}

async function waitFor(
  engine: WorkflowEngine,
  name: string,
  done: (wf: Workflow) => boolean,
): Promise<Workflow> {
  for (;;) {
    const wf = await engine.get('default', name);
    if (wf && done(wf)) return wf;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('workflow control semantics', () => {
  const t = useTestEngine('control', { graceSeconds: 1 });

  it('skips steps and tasks whose when is false, with Argo message and type', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('when.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    expect(byName(wf, 'when[1].heads')).toMatchObject({ type: 'Pod', phase: 'Succeeded' });
    expect(byName(wf, 'when[1].tails')).toMatchObject({
      type: 'Skipped',
      phase: 'Skipped',
      templateName: 'echo',
      displayName: 'tails',
      message: "when 'heads == tails' evaluated false",
    });
    expect(byName(wf, 'when[2].graph.big').phase).toBe('Succeeded');
    expect(byName(wf, 'when[2].graph.small')).toMatchObject({
      type: 'Skipped',
      phase: 'Skipped',
      message: "when '5 <= 3' evaluated false",
    });
    // A skipped dependency satisfies a plain depends.
    expect(byName(wf, 'when[2].graph.after-small').phase).toBe('Succeeded');
  });

  it('expands withItems, withParam and withSequence and aggregates their outputs', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('loops.yaml'));
    expect(wf.status?.phase).toBe('Succeeded');
    const names = nodes(wf).map((n) => n.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'loops[0].words(0:hello)',
        'loops[0].words(1:world)',
        'loops[0].numbers(0:1)',
        'loops[0].numbers(1:2.5)',
        'loops[0].numbers(2:true)',
        'loops[0].maps(0:os:debian,version:12)',
        'loops[0].maps(1:os:alpine,version:3.19)',
        'loops[1].fan(0:1)',
        'loops[1].fan(2:3)',
        'loops[1].seq(0:n08)',
        'loops[1].seq(2:n10)',
        'loops[1].down(0:2)',
        'loops[1].down(2:0)',
      ]),
    );
    expect(byName(wf, 'loops[0].maps(1:os:alpine,version:3.19)').outputs?.result).toBe(
      'alpine-3.19',
    );
    expect(byName(wf, 'loops[0].words(1:world)')).toMatchObject({
      displayName: 'words(1:world)',
      boundaryID: 'loops',
    });
    expect(byName(wf, 'loops[1].none')).toMatchObject({
      type: 'Skipped',
      phase: 'Skipped',
      message: 'Skipped, empty params',
    });
    expect(byName(wf, 'loops[2].sum').outputs?.result).toBe(
      '["1","4","9"] [1,4,9] [{"sq":"1"},{"sq":"4"},{"sq":"9"}]',
    );
    const group = byName(wf, 'loops[3].graph.fan');
    expect(group).toMatchObject({ type: 'TaskGroup', phase: 'Succeeded' });
    expect(group.children?.map((id) => wf.status?.nodes?.[id]?.displayName)).toEqual([
      'fan(0:4)',
      'fan(1:5)',
    ]);
    expect(byName(wf, 'loops[3].graph.total').outputs?.result).toBe('[16,25]');
    expect(byName(wf, 'loops').outputs?.parameters).toEqual([
      { name: 'all', value: '["16","25"]' },
    ]);
  });

  it('runs enhanced depends over results, loops and continueOn', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('depends.yaml'));
    const phase = (task: string) => byName(wf, `depends.${task}`).phase;
    expect(phase('bad')).toBe('Failed');
    expect(phase('on-failure')).toBe('Succeeded');
    expect(phase('on-success-of-bad')).toBe('Omitted');
    expect(byName(wf, 'depends.on-success-of-bad')).toMatchObject({
      type: 'Skipped',
      message: 'omitted: depends condition not met',
    });
    expect(phase('any')).toBe('Succeeded');
    expect(phase('all-failed')).toBe('Omitted');
    expect(phase('combo')).toBe('Succeeded');
    expect(phase('after-omitted')).toBe('Succeeded');
    expect(byName(wf, 'depends.some')).toMatchObject({ type: 'TaskGroup', phase: 'Failed' });
    // Only leaf tasks decide the DAG's phase, and every leaf ran or was omitted after a success.
    expect(wf.status?.phase).toBe('Succeeded');
  });

  it('retries with Retry nodes, {{retries}}, policies, limits and expressions', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('retry.yaml'));
    const flaky = byName(wf, 'retry[0].flaky');
    expect(flaky).toMatchObject({ type: 'Retry', phase: 'Succeeded', templateName: 'flaky' });
    expect(flaky.children?.map((id) => wf.status?.nodes?.[id]?.name)).toEqual([
      'retry[0].flaky(0)',
      'retry[0].flaky(1)',
      'retry[0].flaky(2)',
    ]);
    expect(byName(wf, 'retry[0].flaky(0)')).toMatchObject({
      type: 'Pod',
      displayName: 'flaky(0)',
      phase: 'Failed',
    });
    expect(flaky.outputs?.result).toBe('attempt 2');
    const hopeless = byName(wf, 'retry[0].hopeless');
    expect(hopeless).toMatchObject({ phase: 'Failed', message: 'No more retries left' });
    expect(hopeless.children).toHaveLength(3);
    const errorOnly = byName(wf, 'retry[0].error-only');
    expect(errorOnly).toMatchObject({ phase: 'Failed', message: 'Error (exit code 3)' });
    expect(errorOnly.children).toHaveLength(1);
    const expr = byName(wf, 'retry[0].by-expression');
    expect(expr).toMatchObject({
      phase: 'Failed',
      message: 'retryStrategy.expression evaluated to false',
    });
    expect(expr.children).toHaveLength(2);
    expect(wf.status?.phase).toBe('Succeeded');
  });

  it('runs exit handlers with workflow.status and workflow.failures', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('exit-handler.yaml'));
    expect(wf.status?.phase).toBe('Failed');
    const exit = byName(wf, 'exit-handler.onExit');
    expect(exit).toMatchObject({
      displayName: 'exit-handler.onExit',
      phase: 'Succeeded',
      templateName: 'report',
      outputs: expect.objectContaining({ result: 'status=Failed' }),
    });
    const failures = JSON.parse(exit.outputs?.parameters?.[0]?.value ?? '') as unknown[];
    expect(failures).toContainEqual(
      expect.objectContaining({
        displayName: 'fail',
        message: 'Error (exit code 2)',
        templateName: 'fail',
        phase: 'Failed',
      }),
    );
    const work = byName(wf, 'exit-handler[0].work');
    const hook = byName(wf, 'exit-handler[0].work.onExit');
    expect(hook).toMatchObject({ displayName: 'work.onExit', phase: 'Succeeded' });
    expect(hook.outputs?.result).toBe('cleanup after working');
    expect(work.children).toContain(hook.id);
  });

  it('fails the Workflow when only its exit handler fails', async () => {
    const wf = await runToCompletion(
      t.engine,
      inline(`
metadata: { name: exit-fails }
spec:
  entrypoint: ok
  onExit: bad
  templates:
    - name: ok
      container: { image: alpine, command: ['true'] }
    - name: bad
      container: { image: alpine, command: [sh, -c, 'exit 4'] }
`),
    );
    expect(wf.status).toMatchObject({ phase: 'Failed', message: 'Error (exit code 4)' });
    expect(byName(wf, 'exit-fails').phase).toBe('Succeeded');
  });

  it('ends steps at their deadline and ignores pod-only fields', async () => {
    const wf = await runToCompletion(t.engine, workflowFixture('deadline.yaml'));
    expect(byName(wf, 'deadline[0].slow')).toMatchObject({
      phase: 'Failed',
      message: 'Step exceeded its deadline',
    });
    expect(byName(wf, 'deadline[0].timeout')).toMatchObject({
      phase: 'Failed',
      message: 'Step exceeded its deadline',
    });
    expect(byName(wf, 'deadline[0].fast').outputs?.result).toBe('fine');
    expect(wf.status?.phase).toBe('Succeeded');
  });

  it('ends a Workflow at spec.activeDeadlineSeconds, sparing its exit handler', async () => {
    const started = Date.now();
    const wf = await runToCompletion(
      t.engine,
      inline(`
metadata: { name: wf-deadline }
spec:
  entrypoint: main
  activeDeadlineSeconds: 1
  onExit: bye
  templates:
    - name: main
      steps:
        - - { name: sleep, template: sleep }
        - - { name: never, template: bye }
    - name: sleep
      container: { image: alpine, command: [sleep, '30'] }
    - name: bye
      container: { image: alpine, command: [echo, bye] }
`),
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(byName(wf, 'wf-deadline[0].sleep')).toMatchObject({
      phase: 'Failed',
      message: 'Step exceeded its deadline',
    });
    expect(wf.status?.phase).toBe('Failed');
    expect(byName(wf, 'wf-deadline.onExit').phase).toBe('Succeeded');
    expect(nodes(wf).some((n) => n.name.includes('never'))).toBe(false);
  });

  it('limits running steps with parallelism and stops early with failFast', async () => {
    const wf = await runToCompletion(
      t.engine,
      inline(`
metadata: { name: limits }
spec:
  entrypoint: main
  parallelism: 2
  templates:
    - name: main
      steps:
        - - name: many
            template: stamp
            withSequence: { count: '4' }
        - - name: graph
            template: graph
    - name: graph
      parallelism: 1
      failFast: true
      dag:
        tasks:
          - { name: a, template: fail }
          - { name: b, template: stamp }
          - { name: c, template: stamp }
    - name: stamp
      script: { image: alpine, command: [sh], source: 'date +%s%N; sleep 0.2; date +%s%N' }
    - name: fail
      container: { image: alpine, command: [sh, -c, 'exit 1'] }
`),
    );
    const spans = nodes(wf)
      .filter((n) => n.name.startsWith('limits[0].many('))
      .map((n) => (n.outputs?.result ?? '').split('\n').map(Number) as [number, number]);
    expect(spans).toHaveLength(4);
    const overlapAt = (t: number) => spans.filter(([s, e]) => s <= t && t < e).length;
    expect(Math.max(...spans.map(([s]) => overlapAt(s)))).toBeLessThanOrEqual(2);
    expect(byName(wf, 'limits[1].graph')).toMatchObject({
      phase: 'Failed',
      message: 'template has failed or errored children and failFast enabled',
    });
    expect(nodes(wf).filter((n) => n.name.startsWith('limits[1].graph.'))).toHaveLength(1);
    expect(wf.status?.phase).toBe('Failed');
  });

  it('runs only the DAG target and what it depends on', async () => {
    const wf = await runToCompletion(
      t.engine,
      inline(`
metadata: { name: target }
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        target: b
        tasks:
          - { name: a, template: ok }
          - { name: b, template: ok, depends: a }
          - { name: c, template: ok, depends: a }
    - name: ok
      container: { image: alpine, command: ['true'] }
`),
    );
    expect(wf.status?.phase).toBe('Succeeded');
    expect(
      nodes(wf)
        .map((n) => n.name)
        .sort(),
    ).toEqual(['target', 'target.a', 'target.b']);
    expect(byName(wf, 'target').outboundNodes).toEqual([byName(wf, 'target.b').id]);
  });

  it('resumes a suspend by itself after its duration, and refuses values outside enum', async () => {
    const started = Date.now();
    const timed = await runToCompletion(
      t.engine,
      inline(`
metadata: { name: nap }
spec:
  entrypoint: main
  templates:
    - name: main
      suspend: { duration: '1' }
`),
    );
    expect(timed.status?.phase).toBe('Succeeded');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    await t.engine.submit(
      inline(`
metadata: { name: choose }
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - { name: approve, template: approve }
        - - name: show
            template: show
            arguments:
              parameters: [{ name: v, value: '{{steps.approve.outputs.parameters.approve}}' }]
    - name: approve
      suspend: {}
      inputs:
        parameters:
          - { name: approve, default: 'NO', enum: ['YES', 'NO'] }
      outputs:
        parameters:
          - { name: approve, valueFrom: { supplied: {} } }
    - name: show
      inputs: { parameters: [{ name: v }] }
      container: { image: alpine, command: [echo, '{{inputs.parameters.v}}'] }
`),
    );
    await waitFor(t.engine, 'choose', (w) => nodes(w).some((n) => n.type === 'Suspend'));
    await expect(
      t.engine.resume('default', 'choose', { outputs: [{ name: 'approve', value: 'MAYBE' }] }),
    ).rejects.toSatisfy((e) => isPlinthError(e, 'INVALID_INPUT'));
    await t.engine.resume('default', 'choose', { outputs: [{ name: 'approve', value: 'YES' }] });
    const wf = await waitFor(t.engine, 'choose', (w) => Boolean(w.status?.finishedAt));
    expect(byName(wf, 'choose[1].show').outputs?.result).toBe('YES');
  });

  it('refuses a reference to a missing exit handler at submit, naming it', async () => {
    await expect(
      t.engine.submit(
        inline(`
metadata: { name: bad-exit }
spec:
  entrypoint: main
  onExit: nowhere
  templates:
    - name: main
      container: { image: alpine, command: ['true'] }
`),
      ),
    ).rejects.toThrow("spec.onExit template name 'nowhere' undefined");
  });

  it('ends invalid workflows in Error instead of crashing', async () => {
    const wf = await runToCompletion(
      t.engine,
      inline(`
metadata: { name: bad-param }
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: loop
            template: echo
            withParam: 'not json'
          - name: cond
            template: echo
            when: '( unbalanced'
    - name: echo
      container: { image: alpine, command: [echo, '{{item}}'] }
`),
    );
    expect(wf.status?.phase).toBe('Failed');
    expect(byName(wf, 'bad-param[0].loop')).toMatchObject({
      phase: 'Error',
      message: expect.stringContaining('withParam value could not be parsed as a JSON list'),
    });
    expect(byName(wf, 'bad-param[0].cond')).toMatchObject({
      phase: 'Error',
      message: expect.stringContaining("Invalid 'when' expression '( unbalanced'"),
    });
  });
});
