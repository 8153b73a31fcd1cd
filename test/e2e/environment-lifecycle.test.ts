import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, plinth, startServer, tempDir, type Server } from '../support/process.js';

interface Run {
  id: string;
  phase: string;
  requestId?: string | null;
  waitingForApproval?: boolean;
  plan?: { add: number; change: number; destroy: number } | null;
  message?: string;
  nodes: { name: string; displayName: string; type: string; phase: string; message?: string }[];
}

async function api<T>(
  server: Server,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${server.api}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${server.token}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: res.headers,
  };
}

async function runOfRequest(server: Server, requestId: string): Promise<string> {
  return eventually(async () => {
    const { body } = await api<{ runs: { id: string }[] }>(server, `/api/v1/requests/${requestId}`);
    return body.runs[0]?.id;
  }, `a run for request ${requestId}`);
}

async function runWhen(
  server: Server,
  runId: string,
  ok: (run: Run) => boolean,
  what: string,
): Promise<Run> {
  return eventually(async () => {
    const { body } = await api<Run>(server, `/api/v1/runs/${runId}`);
    return ok(body) ? body : undefined;
  }, `${what} (run ${runId})`);
}

const waiting = (run: Run) =>
  run.phase === 'Running' && run.nodes.some((n) => n.type === 'Suspend' && n.phase === 'Running');

describe('an environment from request to destroy, through the real plinth up', () => {
  let server: Server;
  const dataDir = tempDir('plinth-e2e-life-');
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startServer({ dataDir });
    env = { PLINTH_SERVER: server.api, PLINTH_TOKEN: server.token };
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates through the CLI, waits at approval with the plan, survives a restart, and applies', async () => {
    const created = await plinth(
      ['env', 'create', 'demo', '--region', 'eastus2', '-o', 'json'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { request } = JSON.parse(created.stdout) as { request: { id: string } };
    expect(request.id).toBeTruthy();

    const runId = await runOfRequest(server, request.id);
    const atGate = await runWhen(server, runId, waiting, 'the approval gate');
    expect(atGate.plan).toMatchObject({ add: 1, change: 0, destroy: 0 });
    expect(atGate.requestId).toBe(request.id);
    expect((await api<{ status: string }>(server, '/api/v1/environments/demo')).body.status).toBe(
      'Provisioning',
    );

    // A restart while the run waits: the approval still works afterwards.
    expect(await server.stop()).toBe(0);
    server = await startServer({
      dataDir,
      ports: {
        api: Number(new URL(server.api).port),
        webhook: Number(new URL(server.webhook).port),
      },
    });
    const still = await api<Run>(server, `/api/v1/runs/${runId}`);
    expect(waiting(still.body)).toBe(true);

    const approved = await plinth(['runs', 'approve', runId, '--comment', 'looks right'], env);
    expect(approved.code, approved.stderr).toBe(0);
    const done = await runWhen(server, runId, (r) => r.phase !== 'Running', 'the run to end');
    expect(done.phase).toBe('Succeeded');

    const shown = await plinth(['env', 'get', 'demo', '-o', 'json'], env);
    expect(shown.code, shown.stderr).toBe(0);
    const environment = JSON.parse(shown.stdout) as {
      status: string;
      outputs: Record<string, unknown>;
    };
    expect(environment.status).toBe('Ready');
    expect(environment.outputs).toMatchObject({
      name: 'demo',
      region: 'eastus2',
      namespace: 'env-demo',
    });
    expect(String(environment.outputs.url)).toContain('demo');

    const logs = await api<string>(server, `/api/v1/runs/${runId}/logs`, {
      headers: { accept: 'text/plain' },
    }).catch(() => undefined);
    expect(logs?.status ?? 200).toBe(200);
  });

  it('answers 409 to approving a run that is not waiting, and to a second create', async () => {
    const runs = await api<{ items: Run[] }>(server, '/api/v1/runs?environment=demo');
    const finished = runs.body.items.find((r) => r.phase === 'Succeeded');
    expect(finished).toBeDefined();
    const again = await api<{ code: string }>(server, `/api/v1/runs/${finished!.id}/approve`, {
      method: 'POST',
      body: '{}',
    });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    const dup = await api(server, '/api/v1/environments', {
      method: 'POST',
      body: JSON.stringify({ name: 'demo', region: 'eastus2' }),
    });
    expect(dup.status).toBe(409);
  });

  it('deletes: plans the destroy, waits for approval, destroys', async () => {
    const deleted = await plinth(['env', 'delete', 'demo', '-o', 'json'], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    const { request } = JSON.parse(deleted.stdout) as { request: { id: string } };
    expect((await api<{ status: string }>(server, '/api/v1/environments/demo')).body.status).toBe(
      'Destroying',
    );
    const runId = await runOfRequest(server, request.id);
    const atGate = await runWhen(server, runId, waiting, 'the destroy approval');
    expect(atGate.plan).toMatchObject({ add: 0, destroy: 1 });
    const approved = await plinth(['runs', 'approve', runId], env);
    expect(approved.code, approved.stderr).toBe(0);
    await runWhen(server, runId, (r) => r.phase === 'Succeeded', 'the destroy');
    const environment = await eventually(async () => {
      const { body } = await api<{ status: string }>(server, '/api/v1/environments/demo');
      return body.status === 'Destroyed' ? body : undefined;
    }, 'the environment to be Destroyed');
    expect(environment.status).toBe('Destroyed');
  });

  it("runs the seed's way: a POST straight to the webhook EventSource shows up as a run", async () => {
    const res = await fetch(`${server.webhook}/environments`, {
      method: 'POST',
      body: JSON.stringify({ name: 'seedling', region: 'eastus2' }),
    });
    expect(res.status).toBe(200);
    const run = await eventually(async () => {
      const { body } = await api<{ items: Run[] }>(server, '/api/v1/runs?environment=seedling');
      return body.items[0];
    }, 'the webhook run');
    await runWhen(server, run.id, waiting, 'the approval gate of the webhook run');
    const rejected = await plinth(['runs', 'reject', run.id, '--comment', 'not today'], env);
    expect(rejected.code, rejected.stderr).toBe(0);
    const ended = await runWhen(
      server,
      run.id,
      (r) => r.phase !== 'Running',
      'the rejected run to end',
    );
    expect(ended.phase).toBe('Failed');
  });

  it('fails the run with Terraform’s own error when Terraform refuses the inputs', async () => {
    const created = await api<{ id: string }>(server, '/api/v1/environments', {
      method: 'POST',
      body: JSON.stringify({ name: 'broken', region: 'East US 2' }),
    });
    expect(created.status).toBe(202);
    const runId = await runOfRequest(server, created.body.id);
    const ended = await runWhen(
      server,
      runId,
      (r) => r.phase !== 'Running' && r.phase !== 'Pending',
      'the failing run',
    );
    expect(ended.phase).toBe('Failed');
    const failed = ended.nodes.find((n) => n.phase === 'Failed' && n.type === 'Pod');
    expect(failed?.message ?? '').toMatch(/region/i);
    const environment = await eventually(async () => {
      const { body } = await api<{ status: string; message: string | null }>(
        server,
        '/api/v1/environments/broken',
      );
      return body.status === 'Failed' ? body : undefined;
    }, 'the environment to be Failed');
    expect(environment.message ?? '').toMatch(/region/i);
  });
});
