import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { createSqliteStore, type Store } from '../../store/index.js';
import {
  createWorkflowEngine,
  parseWorkflow,
  type NodeStatus,
  type Workflow,
  type WorkflowEngine,
  type WorkflowEngineDeps,
} from '../index.js';

/** An engine on a SQLite file in a temporary data directory, for one test file. */
export interface TestEngine {
  readonly engine: WorkflowEngine;
  readonly store: Store;
  /** The engine's data directory. */
  readonly dir: string;
}

/**
 * Starts an engine before the file's tests and stops it (removing its data
 * directory) after them. Read the fields inside tests, not at import time.
 */
export function useTestEngine(
  prefix: string,
  options: Partial<Omit<WorkflowEngineDeps, 'store' | 'logger' | 'dataDir'>> = {},
): TestEngine {
  let state: TestEngine | undefined;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), `plinth-${prefix}-`));
    const store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    const engine = createWorkflowEngine({
      store,
      logger: pino({ level: 'silent' }),
      dataDir: dir,
      ...options,
    });
    await engine.start();
    state = { engine, store, dir };
  });
  afterAll(async () => {
    if (!state) return;
    await state.engine.stop();
    await state.store.close();
    rmSync(state.dir, { recursive: true, force: true });
  });
  const current = (): TestEngine => {
    if (!state) throw new Error('the test engine starts in beforeAll: use it inside a test');
    return state;
  };
  return {
    get engine() {
      return current().engine;
    },
    get store() {
      return current().store;
    },
    get dir() {
      return current().dir;
    },
  };
}

/** A Workflow of src/workflows/testdata. */
export function workflowFixture(name: string): Workflow {
  return parseWorkflow(readFileSync(join(import.meta.dirname, '..', 'testdata', name), 'utf8'));
}

/** The node with this name (`<workflow>[0].step`...). */
export function nodeNamed(wf: Workflow, name: string): NodeStatus | undefined {
  return Object.values(wf.status?.nodes ?? {}).find((n) => n.name === name);
}

/** The first node with this display name. */
export function nodeShown(wf: Workflow, displayName: string): NodeStatus | undefined {
  return Object.values(wf.status?.nodes ?? {}).find((n) => n.displayName === displayName);
}
