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

/** A sequence whose steps each write an output parameter at /tmp, so each runs in its own filesystem. */
function privateSequence(n: number): Workflow {
  return parseWorkflow({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { generateName: 'bench-fs-' },
    spec: {
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: Array.from({ length: n }, (_, i) => [{ name: `s${i}`, template: 't' }]),
        },
        {
          name: 't',
          container: { image: 'none', command: ['/bin/true'] },
          outputs: {
            parameters: [{ name: 'p', valueFrom: { path: '/tmp/p', default: '' } }],
          },
        },
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

/** CPU milliseconds (user and system) of this process spent in `work`. */
async function cpuOf<T>(work: () => Promise<T>): Promise<{ value: T; cpuMs: number }> {
  const start = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(start);
  return { value, cpuMs: (used.user + used.system) / 1000 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The wall and CPU milliseconds of running `workflow` to its end (the store's opening left out). */
async function runEngine(workflow: Workflow): Promise<{ value: number; cpuMs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-'));
  const store = await createSqliteStore({ filename: path.join(dir, 'plinth.db') });
  const engine = createWorkflowEngine({ store, logger: pino({ level: 'silent' }), dataDir: dir });
  await engine.start();
  try {
    return await cpuOf(async () => {
      const start = performance.now();
      const done = await runToCompletion(engine, workflow);
      const ms = performance.now() - start;
      if (done.status?.phase !== 'Succeeded')
        throw new Error(`bench workflow ${done.status?.phase}: ${done.status?.message}`);
      return ms;
    });
  } finally {
    await engine.stop();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function timeEngine(workflow: Workflow): Promise<number> {
  return (await runEngine(workflow)).value;
}

/** The engine's cost against the floor of spawning the same processes from Node. */
export async function benchEngine(): Promise<Record<string, number>> {
  // Warm up both paths once so neither pays for first-time loading.
  await floor(10, 1);
  await timeEngine(sequence(5));
  // Rounds alternate floor and engine, so a burst of load on the shared machine hits both alike.
  const rounds: { floor: number; engine: number; floorCpu: number; engineCpu: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const f = await cpuOf(() => floor(100, 1));
    const e = await runEngine(sequence(100));
    rounds.push({ floor: f.value, engine: e.value, floorCpu: f.cpuMs, engineCpu: e.cpuMs });
  }
  const seqFloor = median(rounds.map((r) => r.floor));
  const seqEngine = median(rounds.map((r) => r.engine));
  const wideFloor = await floor(100, os.availableParallelism() * 8);
  const wide100 = await timeEngine(wideDag(100));
  const wide1000 = await timeEngine(wideDag(1000));
  // What a private filesystem (a mount namespace per step) costs, against plain steps.
  const isolation: number[] = [];
  for (let i = 0; i < 3; i++) {
    const plain = await timeEngine(sequence(20));
    isolation.push((await timeEngine(privateSequence(20))) / plain);
  }
  return {
    'engine: 100-step sequence, engine / floor': median(rounds.map((r) => r.engine / r.floor)),
    'engine: 100-step sequence, CPU of engine / floor': median(
      rounds.map((r) => r.engineCpu / r.floorCpu),
    ),
    'engine: 100-task wide DAG, engine / floor': wide100 / wideFloor,
    'engine: 1000-task DAG / 100-task DAG': wide1000 / wide100,
    'engine: 20-step sequence, private filesystem / plain': median(isolation),
    'engine: 100-step sequence, median (ms)': seqEngine,
    'engine: floor, 100 serial spawns, median (ms)': seqFloor,
  };
}
