import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createSqliteStore } from '../src/store/index.js';
import {
  createWorkflowEngine,
  parseWorkflow,
  runToCompletion,
  type Workflow,
} from '../src/workflows/index.js';

/** Runs `n` processes of `/bin/true` straight from Node, `parallelism` at a time: the floor. */
async function floor(n: number, parallelism: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      await new Promise<void>((resolve, reject) => {
        const child = spawn('/bin/true', [], { stdio: 'ignore', detached: true });
        child.on('error', reject);
        child.on('exit', () => resolve());
      });
    }
  };
  await Promise.all(Array.from({ length: parallelism }, worker));
  return performance.now() - start;
}

function sequence(n: number): Workflow {
  return parseWorkflow({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { generateName: 'bench-seq-' },
    spec: {
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: Array.from({ length: n }, (_, i) => [{ name: `s${i}`, template: 't' }]),
        },
        { name: 't', container: { image: 'none', command: ['/bin/true'] } },
      ],
    },
  });
}

function wideDag(n: number): Workflow {
  return parseWorkflow({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { generateName: 'bench-dag-' },
    spec: {
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          dag: { tasks: Array.from({ length: n }, (_, i) => ({ name: `t${i}`, template: 't' })) },
        },
        { name: 't', container: { image: 'none', command: ['/bin/true'] } },
      ],
    },
  });
}

async function timeEngine(workflow: Workflow): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-'));
  const store = await createSqliteStore({ filename: path.join(dir, 'plinth.db') });
  const engine = createWorkflowEngine({ store, logger: pino({ level: 'silent' }), dataDir: dir });
  await engine.start();
  try {
    const start = performance.now();
    const done = await runToCompletion(engine, workflow);
    const ms = performance.now() - start;
    if (done.status?.phase !== 'Succeeded')
      throw new Error(`bench workflow ${done.status?.phase}: ${done.status?.message}`);
    return ms;
  } finally {
    await engine.stop();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The engine's cost against the floor of spawning the same processes from Node. */
export async function benchEngine(): Promise<Record<string, number>> {
  // Warm up both paths once so neither pays for first-time loading.
  await floor(10, 1);
  await timeEngine(sequence(5));
  const seqFloor = await floor(100, 1);
  const seqEngine = await timeEngine(sequence(100));
  const wideFloor = await floor(100, os.availableParallelism() * 8);
  const wide100 = await timeEngine(wideDag(100));
  const wide1000 = await timeEngine(wideDag(1000));
  return {
    'engine: 100-step sequence, engine / floor': seqEngine / seqFloor,
    'engine: 100-task wide DAG, engine / floor': wide100 / wideFloor,
    'engine: 1000-task DAG / 100-task DAG': wide1000 / wide100,
    'engine: 100-step sequence (ms)': seqEngine,
    'engine: floor, 100 serial spawns (ms)': seqFloor,
  };
}
