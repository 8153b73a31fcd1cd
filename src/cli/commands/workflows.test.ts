import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/index.js';
import { createPlatform, type Platform } from '../../platform/index.js';
import { createSqliteStore, type Store } from '../../store/index.js';
import { createWorkflowEngine, type Workflow, type WorkflowEngine } from '../../workflows/index.js';
import { runCli } from '../program.js';
import { memoryIO } from '../testing/fake-api.js';

const fixture = join(import.meta.dirname, 'testdata', 'workflow-flaky.yaml');

describe("plinth's Argo verbs against the real API", () => {
  let dir: string;
  let store: Store;
  let engine: WorkflowEngine;
  let platform: Platform;
  let app: FastifyInstance;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-cli-wf-'));
    store = await createSqliteStore({ filename: join(dir, 'plinth.db') });
    const logger = pino({ level: 'silent' });
    engine = createWorkflowEngine({ store, logger, dataDir: dir, graceSeconds: 1 });
    await engine.start();
    platform = createPlatform({
      store,
      engine,
      dispatcher: { dispatch: async () => undefined },
      logger,
    });
    const admin = (await platform.auth.ensureAdminToken()) ?? '';
    app = buildApi({ platform, logger });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    env = { PLINTH_SERVER: `http://127.0.0.1:${port}`, PLINTH_TOKEN: admin, NO_COLOR: '1' };
  });
  afterEach(async () => {
    await app.close();
    await platform.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[]) {
    const io = memoryIO(env);
    const code = await runCli(args, io);
    return { code, out: io.out(), err: io.err() };
  }

  async function finished(name: string): Promise<Workflow> {
    for (;;) {
      const wf = await engine.get('default', name);
      if (wf?.status?.finishedAt) return wf;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('submits and watches, gets the tree, prints logs, retries, resubmits and deletes', async () => {
    const failed = await cli(['submit', fixture, '-p', `dir=${dir}`, '--watch', '-o', 'json']);
    expect(failed.code, failed.err).toBe(1);
    const wf = JSON.parse(failed.out) as Workflow;
    const name = wf.metadata.name!;
    expect(wf.status?.phase).toBe('Failed');

    const got = await cli(['get', name]);
    expect(got.code).toBe(0);
    expect(got.out).toMatch(/Phase:\s+Failed/);
    expect(got.out).toMatch(/✔ first\s+first\s+Succeeded/);
    expect(got.out).toMatch(/✖ second\s+second\s+Failed/);

    const logs = await cli(['logs', name]);
    expect(logs.out).toContain('second: broken');

    const listed = await cli(['list', '--phase', 'Failed']);
    expect(listed.out).toContain(name);

    writeFileSync(join(dir, 'fixed'), '');
    const retried = await cli(['retry', name]);
    expect(retried.code, retried.err).toBe(0);
    expect(retried.out).toBe(`workflow ${name} retried\n`);
    expect((await finished(name)).status?.phase).toBe('Succeeded');

    const refused = await cli(['retry', name]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('To retry a succeeded workflow');

    const resubmitted = await cli(['resubmit', name, '-o', 'json']);
    expect(resubmitted.code, resubmitted.err).toBe(0);
    const copy = JSON.parse(resubmitted.out) as Workflow;
    expect(copy.metadata.labels?.['workflows.argoproj.io/resubmitted-from-workflow']).toBe(name);
    await finished(copy.metadata.name!);

    expect((await cli(['delete', name])).out).toBe(`Workflow '${name}' deleted\n`);
    const gone = await cli(['get', name]);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain('not found');
  });

  it('suspends, resumes, stops and terminates; retries and cancels runs', async () => {
    const submitted = await cli(['submit', fixture, '-p', `dir=${dir}`, '-p', 'seconds=0.3']);
    expect(submitted.code, submitted.err).toBe(0);
    const name = /Workflow (\S+) submitted/.exec(submitted.out)?.[1] ?? '';
    expect((await cli(['suspend', name])).out).toBe(`workflow ${name} suspended\n`);
    await new Promise((r) => setTimeout(r, 600));
    expect(existsSync(join(dir, 'first'))).toBe(true);
    expect((await engine.get('default', name))?.status?.phase).toBe('Running');
    expect((await cli(['resume', name])).out).toBe(`workflow ${name} resumed\n`);
    expect((await finished(name)).status?.phase).toBe('Failed');

    const slow = await cli(['submit', fixture, '-p', `dir=${dir}`, '-p', 'seconds=30']);
    const slowName = /Workflow (\S+) submitted/.exec(slow.out)?.[1] ?? '';
    expect((await cli(['stop', slowName])).out).toBe(`workflow ${slowName} stopped\n`);
    expect((await finished(slowName)).status?.message).toBe("Stopped with strategy 'Stop'");

    const run = await cli(['submit', fixture, '-p', `dir=${dir}`, '-p', 'seconds=30']);
    const runName = /Workflow (\S+) submitted/.exec(run.out)?.[1] ?? '';
    const cancelled = await cli(['runs', 'cancel', runName]);
    expect(cancelled.code, cancelled.err).toBe(0);
    expect(cancelled.out).toContain(`Run ${runName} cancelled.`);
    expect((await finished(runName)).status?.message).toBe("Stopped with strategy 'Terminate'");
    writeFileSync(join(dir, 'fixed'), '');
    const rerun = await cli(['runs', 'retry', runName, '-o', 'json']);
    expect(rerun.code, rerun.err).toBe(0);
    expect((JSON.parse(rerun.out) as { phase: string }).phase).toBe('Running');
    await cli(['terminate', runName]);
    expect((await finished(runName)).status?.phase).toBe('Failed');
  });
});
