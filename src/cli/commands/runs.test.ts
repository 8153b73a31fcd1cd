import { describe, it, expect, afterEach } from 'vitest';
import { runCli } from '../program.js';
import { memoryIO, problem, startFakeApi, type FakeApi } from '../testing/fake-api.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const waitingRun = {
  id: 'run-1',
  requestId: 'req-1',
  phase: 'Running',
  message: null,
  waitingForApproval: true,
  plan: { add: 1, change: 0, destroy: 0, resources: [] },
  outputs: {},
  startedAt: null,
  finishedAt: null,
  nodes: [
    {
      id: 'run-1',
      name: 'run-1',
      displayName: 'run-1',
      type: 'Steps',
      phase: 'Running',
      templateName: 'main',
      children: ['a'],
    },
    {
      id: 'a',
      name: 'run-1[0].approve',
      displayName: 'approve',
      type: 'Suspend',
      phase: 'Running',
      templateName: 'approve',
      boundaryID: 'run-1',
    },
  ],
};

describe('plinth runs', () => {
  it('lists runs with filters, waiting ones marked', async () => {
    api = await startFakeApi({
      'GET /api/v1/runs': {
        body: {
          items: [
            { id: 'run-1', requestId: 'req-1', phase: 'Running', waitingForApproval: true },
            { id: 'run-0', requestId: null, phase: 'Succeeded', message: 'done' },
          ],
          nextCursor: 'c2',
        },
      },
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['runs', 'list', '--environment', 'dev', '--phase', 'Running'], io)).toBe(
      0,
    );
    expect(io.out()).toBe(
      'ID     PHASE                           REQUEST  AGE  DURATION  MESSAGE\n' +
        'run-1  Running (waiting for approval)  req-1\n' +
        'run-0  Succeeded                                               done\n',
    );
    expect(io.err()).toContain('more runs');
    expect(api.received[0]?.query.get('environment')).toBe('dev');
    expect(api.received[0]?.query.get('phase')).toBe('Running');
  });

  it('gets a run as a tree with the plan, or as JSON', async () => {
    api = await startFakeApi({ 'GET /api/v1/runs/run-1': { body: waitingRun } });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['runs', 'get', 'run-1'], io)).toBe(0);
    expect(io.out()).toContain(
      ' ● run-1      main      Running\n └─ǁ approve  approve   Running\n',
    );
    expect(io.out()).toContain('Plan: 1 to add, 0 to change, 0 to destroy.\n');

    const json = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['runs', 'get', 'run-1', '-o', 'json'], json)).toBe(0);
    expect(JSON.parse(json.out())).toEqual(waitingRun);
  });

  it('prints the logs as the server formats them', async () => {
    api = await startFakeApi({
      'GET /api/v1/runs/run-1/logs': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('plan: Plan: 1 to add\n');
        return undefined;
      },
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['runs', 'logs', 'run-1'], io)).toBe(0);
    expect(io.out()).toBe('plan: Plan: 1 to add\n');
  });

  it('follows the logs until the run ends', async () => {
    api = await startFakeApi({
      'GET /api/v1/runs/run-1/logs': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const entry = (text: string) => ({
          nodeId: 'n1',
          podName: 'run-1-plan',
          stream: 'stdout',
          text,
          time: 't',
        });
        res.write(`id: 1\ndata: ${JSON.stringify(entry('Initializing...\n'))}\n\n`);
        setTimeout(() => {
          res.end(`id: 2\ndata: ${JSON.stringify(entry('done'))}\n\nevent: end\ndata: {}\n\n`);
        }, 20);
        return undefined;
      },
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['runs', 'logs', 'run-1', '-f'], io)).toBe(0);
    expect(io.out()).toBe('run-1-plan: Initializing...\nrun-1-plan: done\n');
    expect(api.received[0]?.query.get('follow')).toBe('true');

    const json = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['runs', 'logs', 'run-1', '-f', '-o', 'json'], json)).toBe(0);
    const lines = json
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { text: string; seq: string });
    expect(lines.map((l) => [l.seq, l.text])).toEqual([
      ['1', 'Initializing...\n'],
      ['2', 'done'],
    ]);
  });

  it('approves with a comment', async () => {
    api = await startFakeApi({
      'POST /api/v1/runs/run-1/approve': { body: { ...waitingRun, waitingForApproval: false } },
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['runs', 'approve', 'run-1', '--comment', 'looks right'], io)).toBe(0);
    expect(api.received[0]?.body).toEqual({ comment: 'looks right' });
    expect(io.out()).toContain('Run run-1 approved.\nPhase: Running\n');
  });

  it('reports a run that is not waiting, exit 1', async () => {
    api = await startFakeApi({
      'POST /api/v1/runs/run-1/reject': problem(
        409,
        'NOT_WAITING',
        'run run-1 is not waiting for approval',
      ),
    });
    const io = memoryIO({ PLINTH_SERVER: api.url });
    expect(await runCli(['runs', 'reject', 'run-1'], io)).toBe(1);
    expect(api.received[0]?.body).toEqual({});
    expect(io.err()).toBe('plinth: run run-1 is not waiting for approval\n');
  });
});
