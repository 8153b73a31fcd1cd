import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, startServer, type Server } from '../support/process.js';

/** The `sh` blocks of a Markdown page, in order. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

describe('docs/walkthrough.md runs as written', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('passes every step against a fresh plinth up', async () => {
    const page = fs.readFileSync(path.join(root, 'docs', 'walkthrough.md'), 'utf8');
    const blocks = shellBlocks(page);
    expect(blocks.length).toBeGreaterThan(5);
    const script = blocks.join('\n');
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
        env: {
          ...process.env,
          NO_COLOR: '1',
          PATH: `${path.join(root, 'bin')}:${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
          PLINTH_SERVER: server.api,
          PLINTH_TOKEN: server.token,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
  }, 240_000);
});
