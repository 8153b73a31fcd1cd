import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('runToCompletion in a process of its own', () => {
  // In-process tests cannot see this: vitest keeps the event loop alive by itself.
  it('keeps the process alive while the Workflow waits on a retry backoff', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'run',
        '-o',
        'json',
        join('src', 'workflows', 'testdata', 'backoff-wait.yaml'),
      ],
      { cwd: root, timeout: 120_000 },
    );
    const wf = JSON.parse(stdout) as {
      status: {
        phase: string;
        nodes: Record<string, { type: string; outputs?: { result?: string } }>;
      };
    };
    expect(wf.status.phase).toBe('Succeeded');
    const results = Object.values(wf.status.nodes)
      .filter((n) => n.type === 'Pod')
      .map((n) => n.outputs?.result)
      .sort();
    expect(results).toEqual(['attempt 0', 'attempt 1']);
  });
});
