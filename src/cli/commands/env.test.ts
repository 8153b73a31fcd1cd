import { describe, it, expect, afterEach } from 'vitest';
import type { Run } from '../client/index.js';
import { runCli } from '../program.js';
import { memoryIO, problem, startFakeApi, type FakeApi } from '../testing/fake-api.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const accepted = {
  status: 202,
  headers: { location: '/api/v1/requests/req-1' },
  body: { id: 'req-1', kind: 'environment', action: 'create', status: 'Accepted', target: 'dev' },
};

/** A run that goes validate ▶ plan ▶ approval over successive polls. */
function runStages(): Run[] {
  const base = {
    id: 'run-1',
    requestId: 'req-1',
    phase: 'Running' as const,
    plan: null,
    nodes: [],
  };
  const root = { id: 'run-1', name: 'run-1', displayName: 'run-1', type: 'Steps' };
  const validate = { id: 'v', name: 'run-1[0].validate', displayName: 'validate', type: 'Pod' };
  const plan = { id: 'p', name: 'run-1[1].plan', displayName: 'plan', type: 'Pod' };
  const approve = { id: 'a', name: 'run-1[2].approve', displayName: 'approve', type: 'Suspend' };
  return [
    {
      ...base,
      nodes: [
        { ...root, phase: 'Running' },
        { ...validate, phase: 'Running' },
      ],
    },
    {
      ...base,
      nodes: [
        { ...root, phase: 'Running' },
        { ...validate, phase: 'Succeeded' },
        { ...plan, phase: 'Running' },
      ],
    },
    {
      ...base,
      waitingForApproval: true,
      plan: { add: 1, change: 0, destroy: 0 },
      nodes: [
        { ...root, phase: 'Running' },
        { ...validate, phase: 'Succeeded' },
        { ...plan, phase: 'Succeeded' },
        { ...approve, phase: 'Running' },
      ],
    },
  ];
}

async function scenario(): Promise<FakeApi> {
  let requestPolls = 0;
  let runPolls = 0;
  const stages = runStages();
  return startFakeApi({
    'POST /api/v1/environments': accepted,
    'GET /api/v1/requests/req-1': () => ({
      body: {
        id: 'req-1',
        kind: 'environment',
        status: 'Accepted',
        runs: ++requestPolls < 2 ? [] : [{ id: 'run-1', phase: 'Running' }],
      },
    }),
    'GET /api/v1/runs/run-1': () => ({ body: stages[Math.min(runPolls++, stages.length - 1)] }),
  });
}

describe('plinth env create', () => {
  it('sends the request, waits briefly for its run and says how to approve it', async () => {
    api = await scenario();
    const io = memoryIO({ PLINTH_SERVER: api.url, PLINTH_TOKEN: 'plt_t' });
    const code = await runCli(
      ['env', 'create', 'dev', '--region', 'eu-west-1', '--team', 'web'],
      io,
    );
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(api.received[0]?.body).toEqual({ name: 'dev', region: 'eu-west-1', team: 'web' });
    expect(api.received[0]?.headers.authorization).toBe('Bearer plt_t');
    expect(io.out()).toBe(
      [
        'Request req-1 accepted (create environment dev).',
        'Run run-1 started.',
        'Plan: 1 to add, 0 to change, 0 to destroy.',
        'Run run-1 is waiting for approval.',
        '  approve:  plinth runs approve run-1',
        '  reject:   plinth runs reject run-1',
        '',
      ].join('\n'),
    );
  });

  it('with --wait shows each step as it changes', async () => {
    api = await scenario();
    const io = memoryIO();
    const code = await runCli(
      ['env', 'create', 'dev', '--region', 'eu-west-1', '--wait', '--server', api.url],
      io,
    );
    expect(code).toBe(0);
    const lines = io.out().split('\n');
    expect(lines.slice(2, 7)).toEqual([
      '  ● validate  Running',
      '  ✔ validate  Succeeded',
      '  ● plan  Running',
      '  ✔ plan  Succeeded',
      '  ǁ approve  Running',
    ]);
    expect(io.out()).toContain('plinth runs approve run-1');
  });

  it('prints the request and the run with -o json', async () => {
    api = await scenario();
    const io = memoryIO({ PLINTH_SERVER: api.url });
    const code = await runCli(['env', 'create', 'dev', '--region', 'r', '-o', 'json'], io);
    expect(code).toBe(0);
    const doc = JSON.parse(io.out()) as { request: { id: string }; run: Run };
    expect(doc.request.id).toBe('req-1');
    expect(doc.run.waitingForApproval).toBe(true);
  });

  it('says how to follow the request when no run shows up in time', async () => {
    api = await startFakeApi({
      'POST /api/v1/environments': accepted,
      'GET /api/v1/requests/req-1': {
        body: { id: 'req-1', kind: 'environment', status: 'Accepted', runs: [] },
      },
    });
    const io = memoryIO({ PLINTH_SERVER: api.url }, { briefWaitMs: 50 });
    expect(await runCli(['env', 'create', 'dev', '--region', 'r'], io)).toBe(0);
    expect(io.out()).toContain('No run yet. Follow it with: plinth runs list --request req-1');
  });

  it('prints the problem and each field fix, and exits 1', async () => {
    api = await startFakeApi({
      'POST /api/v1/environments': problem(400, 'INVALID_INPUT', 'the request body is invalid', [
        {
          field: '/name',
          message: 'must match ^[a-z][a-z0-9-]*$',
          fix: 'use lower-case letters, digits and -',
        },
      ]),
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['env', 'create', 'Dev!', '--region', 'r'], io)).toBe(1);
    expect(io.err()).toBe(
      'plinth: the request body is invalid\n' +
        '  /name: must match ^[a-z][a-z0-9-]*$ (fix: use lower-case letters, digits and -)\n',
    );
  });

  it('tells how to authenticate on 401', async () => {
    api = await startFakeApi({
      'POST /api/v1/environments': problem(401, 'UNAUTHENTICATED', 'a bearer token is required'),
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['env', 'create', 'dev', '--region', 'r'], io)).toBe(1);
    expect(io.err()).toContain('set PLINTH_TOKEN or pass --token');
  });
});

describe('plinth env list, get, delete', () => {
  const dev = {
    name: 'dev',
    status: 'Ready',
    region: 'eu-west-1',
    team: 'web',
    outputs: { url: 'https://dev.example', replicas: 2 },
    lastRequestId: 'req-1',
    message: null,
    createdAt: new Date(Date.now() - 125_000).toISOString(),
    updatedAt: new Date().toISOString(),
  };

  it('lists environments as a table, with filters', async () => {
    api = await startFakeApi({ 'GET /api/v1/environments': { body: { items: [dev] } } });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['env', 'list', '--team', 'web', '--status', 'Ready'], io)).toBe(0);
    // The age is counted from when the table is printed, a moment after the record was made.
    expect(io.out()).toMatch(
      /^NAME {2}STATUS {2}REGION {5}TEAM {2}AGE {3}MESSAGE\ndev {3}Ready {3}eu-west-1 {2}web {3}2m[5-9]s\n$/,
    );
    expect(api.received[0]?.query.get('team')).toBe('web');
    expect(api.received[0]?.query.get('status')).toBe('Ready');
  });

  it('lists environments as JSON', async () => {
    api = await startFakeApi({ 'GET /api/v1/environments': { body: { items: [dev] } } });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['env', 'list', '-o', 'json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({ items: [dev] });
  });

  it('shows one environment with its outputs', async () => {
    api = await startFakeApi({ 'GET /api/v1/environments/dev': { body: dev } });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['env', 'get', 'dev'], io)).toBe(0);
    expect(io.out()).toContain('Status:       Ready\n');
    expect(io.out()).toContain('Outputs:\n  url: https://dev.example\n  replicas: 2\n');
  });

  it('deletes and reports a run that already ended', async () => {
    api = await startFakeApi({
      'DELETE /api/v1/environments/dev': {
        ...accepted,
        body: { ...accepted.body, action: 'delete' },
      },
      'GET /api/v1/requests/req-1': {
        body: {
          id: 'req-1',
          kind: 'environment',
          status: 'Running',
          runs: [{ id: 'run-9', phase: 'Failed' }],
        },
      },
      'GET /api/v1/runs/run-9': {
        body: { id: 'run-9', phase: 'Failed', message: 'destroy failed', plan: null, nodes: [] },
      },
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['env', 'delete', 'dev'], io)).toBe(1);
    expect(io.out()).toContain('Request req-1 accepted (delete environment dev).\n');
    expect(io.out()).toContain('Run run-9 Failed: destroy failed\n');
    expect(io.out()).toContain('plinth runs logs run-9');
  });

  it('says when Plinth cannot be reached', async () => {
    const gone = await startFakeApi();
    await gone.close();
    const io = memoryIO({ PLINTH_SERVER: gone.url });
    expect(await runCli(['env', 'list'], io)).toBe(1);
    expect(io.err()).toBe(
      `plinth: cannot reach Plinth at ${gone.url} (is \`plinth up\` running?)\n`,
    );
  });
});
