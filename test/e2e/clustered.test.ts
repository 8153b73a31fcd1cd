import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_POSTGRES_URL,
  dropSchema,
  freshSchemaName,
  postgresAvailable,
} from '../../src/store/testing/dialects.js';
import { eventually, plinth, startServer, tempDir, type Server } from '../support/process.js';

interface Run {
  id: string;
  phase: string;
  nodes: { name: string; displayName: string; type: string; phase: string }[];
}

const NATS_URL = process.env['PLINTH_TEST_NATS'] ?? 'nats://127.0.0.1:4222';
const available = await postgresAvailable();

async function get<T>(server: Server, path: string): Promise<T> {
  const res = await fetch(`${server.api}${path}`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}

const waiting = (run: Run) =>
  run.phase === 'Running' && run.nodes.some((n) => n.type === 'Suspend' && n.phase === 'Running');

describe.skipIf(!available)('the clustered shape: two plinth up on one PostgreSQL and NATS', () => {
  const schema = freshSchemaName('plinth_e2e');
  const db = `${TEST_POSTGRES_URL}?schema=${schema}`;
  const stream = `plinth-e2e-${schema.replaceAll('_', '-')}`;
  const servers: Server[] = [];
  // Two processes starting together on a busy machine take a while.
  const readyTimeoutMs = 90_000;

  beforeAll(async () => {
    // The catalog's EventBus asks for token auth; the machine's NATS takes any token.
    process.env['PLINTH_BUS_TOKEN'] ??= 'plinth-e2e';
    // A short lease: the leader's hand-over below takes a beat (a third of it).
    const extraArgs = [
      '--db',
      db,
      '--bus',
      NATS_URL,
      '--bus-stream',
      stream,
      '--claim-lease',
      '3s',
    ];
    // Both start at once: the migrations run once, under the advisory lock.
    servers.push(
      ...(await Promise.all([
        startServer({ dataDir: tempDir('plinth-e2e-c1-'), extraArgs, readyTimeoutMs }),
        startServer({ dataDir: tempDir('plinth-e2e-c2-'), extraArgs, readyTimeoutMs }),
      ])),
    );
  }, 2 * readyTimeoutMs);
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await dropSchema(TEST_POSTGRES_URL, schema).catch(() => undefined);
    const nc = await connect({ servers: NATS_URL, token: process.env['PLINTH_BUS_TOKEN'] });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
    await nc.close();
  });

  it('requests an environment through the CLI on one process, approves, and sees it Ready on both; the run is created and executed once', async () => {
    const [a, b] = servers as [Server, Server];
    const env = { PLINTH_SERVER: a.api, PLINTH_TOKEN: a.token };
    const created = await plinth(
      ['env', 'create', 'shared', '--region', 'eastus2', '-o', 'json'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { request } = JSON.parse(created.stdout) as { request: { id: string } };

    // The request is visible from either process: they share one database.
    const runId = await eventually(async () => {
      const r = await get<{ runs: { id: string }[] }>(b, `/api/v1/requests/${request.id}`);
      return r.runs[0]?.id;
    }, 'a run for the request');
    await eventually(
      async () => {
        const run = await get<Run>(a, `/api/v1/runs/${runId}`);
        return waiting(run) ? run : undefined;
      },
      'the approval gate',
      60_000,
    );

    // The run lives on the process whose sensor took the event; approving on the other one
    // hands the approval to it through the store, and answers as the owner would.
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    const owner = await client.query<{ owner: string }>(
      `select owner from "${schema}".work_claims where kind = 'workflow'`,
    );
    const ownerPid = Number(owner.rows[0]?.owner.split(':')[1]);
    const holder = servers.find((s) => s.child.pid === ownerPid);
    expect(holder, `a process holds the run (${owner.rows[0]?.owner})`).toBeDefined();
    const other = holder === a ? b : a;
    // Logs followed on the process that does not run it go on until the run ends.
    let followEnded = 0;
    const followed = plinth(['runs', 'logs', runId, '--follow'], {
      PLINTH_SERVER: other.api,
      PLINTH_TOKEN: other.token,
    }).finally(() => (followEnded = Date.now()));
    await new Promise((r) => setTimeout(r, 1_000));
    const approved = await plinth(['runs', 'approve', runId, '--comment', 'ship it'], {
      PLINTH_SERVER: other.api,
      PLINTH_TOKEN: other.token,
    });
    expect(approved.code, approved.stderr).toBe(0);
    const approvedAt = Date.now();
    // A second approval finds nothing waiting, on either process.
    const again = await fetch(`${other.api}/api/v1/runs/${runId}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(again.status).toBe(409);
    const audit = await get<{ items: { action: string; target: string; outcome: string }[] }>(
      holder!,
      `/api/v1/audit?action=runs.approve`,
    );
    expect(
      audit.items.filter((e) => e.target.endsWith(runId) && e.outcome === 'succeeded'),
    ).toHaveLength(1);

    const done = await eventually(
      async () => {
        const run = await get<Run>(b, `/api/v1/runs/${runId}`);
        return run.phase === 'Running' ? undefined : run;
      },
      'the run to end',
      60_000,
    );
    expect(done.phase).toBe('Succeeded');
    const logs = await followed;
    expect(logs.code, logs.stderr).toBe(0);
    // It printed the steps' lines and ended with the run, not before the approval.
    expect(logs.stdout).not.toBe('');
    expect(followEnded).toBeGreaterThan(approvedAt);
    for (const s of [a, b]) {
      const shown = await plinth(['env', 'get', 'shared', '-o', 'json'], {
        PLINTH_SERVER: s.api,
        PLINTH_TOKEN: s.token,
      });
      expect(shown.code, shown.stderr).toBe(0);
      expect((JSON.parse(shown.stdout) as { status: string }).status).toBe('Ready');
    }

    // One event, two sensors on one durable consumer: one Workflow; every node ran once.
    try {
      const workflows = await client.query(
        `select uid from "${schema}".workflows where request_id = $1`,
        [request.id],
      );
      expect(workflows.rowCount).toBe(1);
      // Its claim is given up once the run's end is stored.
      await eventually(async () => {
        const claims = await client.query(
          `select * from "${schema}".work_claims where kind = 'workflow'`,
        );
        return claims.rowCount === 0 ? true : undefined;
      }, 'the claim to be released');
    } finally {
      await client.end();
    }
  }, 120_000);

  it('runs the cluster schedules on one leader, and hands them over when it stops', async () => {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    const leaderPid = async () => {
      const rows = await client.query<{ owner: string }>(
        `select owner from "${schema}".work_claims where kind = 'leader'`,
      );
      return rows.rows.length === 1 ? Number(rows.rows[0]!.owner.split(':')[1]) : undefined;
    };
    try {
      const first = await eventually(leaderPid, 'a leader');
      const leader = servers.find((s) => s.child.pid === first);
      expect(leader).toBeDefined();
      await leader!.stop();
      servers.splice(servers.indexOf(leader!), 1);
      const next = await eventually(
        async () => {
          const pid = await leaderPid();
          return pid !== undefined && pid !== first ? pid : undefined;
        },
        'the other process to lead',
        15_000,
      );
      expect(next).toBe(servers[0]!.child.pid);
    } finally {
      await client.end();
    }
  });
});
