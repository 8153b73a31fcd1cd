import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from './checkpointer.js';

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the WAL checkpointer', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes the checkpoints off the connection once the WAL is large, and hands them back on stop', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-checkpointer-'));
    dirs.push(dir);
    const file = path.join(dir, 'store.db');
    const db = new BetterSqlite3(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const write = (rows: number) =>
      db.transaction(() => {
        for (let i = 0; i < rows; i++) insert.run('x'.repeat(2000));
      })();
    const checkpointer = startCheckpointer(db, file);
    const autocheckpoint = () => db.pragma('wal_autocheckpoint', { simple: true }) as number;
    try {
      expect(autocheckpoint()).toBe(1000);
      // Past 1,000 pages of WAL: the thread starts and the connection stops checkpointing.
      for (let i = 0; i < 30; i++) write(100);
      await until(() => autocheckpoint() === 0);
      // Only the thread copies pages into the database file now.
      const before = fs.statSync(file).size;
      write(500);
      await until(() => fs.statSync(file).size > before);
      expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 3500 });
    } finally {
      await checkpointer.stop();
    }
    expect(autocheckpoint()).toBe(1000);
    db.close();
    const reopened = new BetterSqlite3(file);
    expect(reopened.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 3500 });
    reopened.close();
  });

  it('never starts a thread for a database that stays small', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-checkpointer-'));
    dirs.push(dir);
    const file = path.join(dir, 'store.db');
    const db = new BetterSqlite3(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const checkpointer = startCheckpointer(db, file);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpointer.stop();
    db.close();
  });
});
