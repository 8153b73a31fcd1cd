import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileOnce } from './compiled.js';

interface Items {
  items: { id: string; name: string };
}

describe('compileOnce', () => {
  let db: Kysely<Items>;
  beforeEach(async () => {
    db = new Kysely<Items>({
      dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }),
    });
    await db.schema
      .createTable('items')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text')
      .execute();
  });
  afterEach(() => db.destroy());

  it('runs the compiled query with each call’s values and sees every change', async () => {
    const byId = compileOnce(db, (d) =>
      d.selectFrom('items').select(['id', 'name']).where('id', '=', ''),
    );
    await db
      .insertInto('items')
      .values([
        { id: 'a', name: 'first' },
        { id: 'b', name: 'second' },
      ])
      .execute();
    expect(await byId('a')).toEqual([{ id: 'a', name: 'first' }]);
    expect(await byId('b')).toEqual([{ id: 'b', name: 'second' }]);
    await db.updateTable('items').set({ name: 'renamed' }).where('id', '=', 'a').execute();
    expect(await byId('a')).toEqual([{ id: 'a', name: 'renamed' }]);
    expect(await byId('c')).toEqual([]);
  });

  it('refuses a call whose values do not match the query’s parameters', async () => {
    const byId = compileOnce(db, (d) => d.selectFrom('items').selectAll().where('id', '=', ''));
    await expect(byId()).rejects.toThrow('the query takes 1 parameters, 0 were given');
  });
});
