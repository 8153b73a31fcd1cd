import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { isPlinthError } from '../../errors/index.js';
import { openStore } from '../open.js';
import {
  TEST_POSTGRES_URL,
  dropSchema,
  freshSchemaName,
  postgresAvailable,
} from '../testing/dialects.js';
import { migrations } from '../migrations/index.js';
import { createPostgresStore, parsePostgresUrl } from './index.js';

const available = await postgresAvailable();

describe('postgres URL', () => {
  it("takes Plinth's schema parameter off the URL", () => {
    expect(parsePostgresUrl('postgres://u@h:5432/db?schema=s1&sslmode=disable')).toEqual({
      connectionString: 'postgres://u@h:5432/db?sslmode=disable',
      schema: 's1',
    });
    expect(parsePostgresUrl('postgresql://h/db')).toEqual({
      connectionString: 'postgresql://h/db',
    });
  });

  it('refuses a schema that is not a plain identifier', async () => {
    const err = await createPostgresStore({
      connectionString: 'postgres://127.0.0.1:1/x',
      schema: 'a"; drop table x; --',
    }).catch((e: unknown) => e);
    expect(isPlinthError(err, 'INVALID_INPUT')).toBe(true);
  });
});

describe.skipIf(!available)('postgres store', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const s of schemas) await dropSchema(TEST_POSTGRES_URL, s);
  });

  it('migrates once when several processes start at once', async () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    const url = `${TEST_POSTGRES_URL}?schema=${schema}`;
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => openStore(url, '/nonexistent', { poolMax: 2 })),
    );
    for (const s of stores) expect(s.dialect).toBe('postgres');
    await Promise.all(stores.map((s) => s.close()));

    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      const rows = await client.query<{ name: string }>(
        `select name from "${schema}".plinth_migrations order by name`,
      );
      expect(rows.rows.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
    } finally {
      await client.end();
    }
  });

  it('answers sequences and counts as numbers, as SQLite does', async () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    const store = await createPostgresStore({ connectionString: TEST_POSTGRES_URL, schema });
    try {
      await store.logs.append([
        { workflowUid: 'w', nodeId: 'n', stream: 'stdout', time: 't', text: 'one' },
        { workflowUid: 'w', nodeId: 'n', stream: 'stdout', time: 't', text: 'two' },
      ]);
      const lines = await store.logs.read('w');
      expect(lines.map((l) => typeof l.seq)).toEqual(['number', 'number']);
      expect(lines[1]!.seq).toBeGreaterThan(lines[0]!.seq);
      expect(await store.tokens.count()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
