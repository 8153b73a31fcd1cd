import { describe, expect, it } from 'vitest';
import { runToCompletion, type StepRunner, type Workflow } from './index.js';
import { useTestEngine } from './testing/engine.js';

const started: string[] = [];
const seen: string[] = [];

/** Runs nothing: records when the engine starts a step, so the order of events can be checked. */
const recordingRunner: StepRunner = {
  start(spec) {
    started.push(spec.argv.join(' '));
    seen.push('step started');
    return {
      done: Promise.resolve({ exitCode: 0, signal: null, stdout: '' }),
      kill() {},
    };
  },
};

const t = useTestEngine('watch', { runner: recordingRunner });

describe('watching Workflows', () => {
  it('reports a Workflow once it is stored, Pending, before its first step is started', async () => {
    const phases: string[] = [];
    const stop = t.engine.onChange((wf: Workflow) => {
      phases.push(wf.status?.phase ?? '');
      seen.push(`seen ${wf.status?.phase ?? ''}`);
    });
    try {
      const wf: Workflow = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { generateName: 'watched-' },
        spec: {
          entrypoint: 'main',
          templates: [{ name: 'main', container: { image: 'alpine', command: ['true'] } }],
        },
      };
      const final = await runToCompletion(t.engine, wf);
      expect(final.status?.phase).toBe('Succeeded');
    } finally {
      stop();
    }
    expect(started).toEqual(['true']);
    expect(phases[0]).toBe('Pending');
    expect(seen.indexOf('seen Pending')).toBeLessThan(seen.indexOf('step started'));
  });
});
