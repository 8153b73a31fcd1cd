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

  beforeAll(async () => {
    // The catalog's EventBus asks for token auth; the machine's NATS takes any token.
    process.env['PLINTH_BUS_TOKEN'] ??= 'plinth-e2e';
    const extraArgs = ['--db', db, '--bus', NATS_URL, '--bus-stream', stream];
    // Both start at once: the migrations run once, under the advisory lock.
    servers.push(
      ...(await Promise.all([
        startServer({ dataDir: tempDir('plinth-e2e-c1-'), extraArgs }),
        startServer({ dataDir: tempDir('plinth-e2e-c2-'), extraArgs }),
      ])),
    );
  });
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

    // The run lives on the process whose sensor took the event; the other refuses with 503.
    let approvedOn: Server | undefined;
    for (const s of [a, b]) {
      const res = await plinth(['runs', 'approve', runId, '--comment', 'ship it'], {
        PLINTH_SERVER: s.api,
        PLINTH_TOKEN: s.token,
      });
      if (res.code === 0) {
        approvedOn = s;
        break;
      }
      expect(res.stderr).toMatch(/another Plinth process/);
    }
    expect(approvedOn).toBeDefined();

    const done = await eventually(
      async () => {
        const run = await get<Run>(b, `/api/v1/runs/${runId}`);
        return run.phase === 'Running' ? undefined : run;
      },
      'the run to end',
      60_000,
    );
    expect(done.phase).toBe('Succeeded');
    for (const s of [a, b]) {
      const shown = await plinth(['env', 'get', 'shared', '-o', 'json'], {
        PLINTH_SERVER: s.api,
        PLINTH_TOKEN: s.token,
      });
      expect(shown.code, shown.stderr).toBe(0);
      expect((JSON.parse(shown.stdout) as { status: string }).status).toBe('Ready');
    }

    // One event, two sensors on one durable consumer: one Workflow; every node ran once.
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      const workflows = await client.query(
        `select uid from "${schema}".workflows where request_id = $1`,
        [request.id],
      );
      expect(workflows.rowCount).toBe(1);
      // Its claim is given up once the run's end is stored.
      await eventually(async () => {
        const claims = await client.query(`select * from "${schema}".work_claims`);
        return claims.rowCount === 0 ? true : undefined;
      }, 'the claim to be released');
    } finally {
      await client.end();
    }
  });
});
