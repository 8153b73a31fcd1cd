import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import { createLocalArtifactRepository, unpackTar, type ArtifactRepository } from './index.js';

describe('local artifact repository', () => {
  let dir: string;
  let repo: ArtifactRepository;
  const long = `${'d'.repeat(60)}/${'f'.repeat(70)}.txt`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-artifacts-'));
    repo = createLocalArtifactRepository({ root: join(dir, 'repo') });
    mkdirSync(join(dir, 'src', 'tree', 'sub', 'd'.repeat(60)), { recursive: true });
    writeFileSync(join(dir, 'src', 'hello.txt'), 'hello world\n');
    writeFileSync(join(dir, 'src', 'tree', 'a.txt'), 'a');
    writeFileSync(join(dir, 'src', 'tree', 'sub', 'b.txt'), 'b');
    writeFileSync(join(dir, 'src', 'tree', 'sub', long), 'long');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('archives a file as tar.gz and loads it back as a file', async () => {
    await repo.save('wf/node/hello.tgz', join(dir, 'src', 'hello.txt'));
    expect(await repo.exists('wf/node/hello.tgz')).toBe(true);
    const stored = readFileSync(join(dir, 'repo', 'wf', 'node', 'hello.tgz'));
    expect(stored.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    await repo.load('wf/node/hello.tgz', join(dir, 'out', 'message'));
    expect(readFileSync(join(dir, 'out', 'message'), 'utf8')).toBe('hello world\n');
  });

  it('archives a directory with long names that the tar program reads', async () => {
    await repo.save('wf/node/tree.tgz', join(dir, 'src', 'tree'));
    const listing = execFileSync('tar', ['-tzf', join(dir, 'repo', 'wf', 'node', 'tree.tgz')], {
      encoding: 'utf8',
    });
    expect(listing).toContain('tree/a.txt');
    expect(listing).toContain(`tree/sub/${long}`);
    await repo.load('wf/node/tree.tgz', join(dir, 'out', 'copy'));
    expect(readFileSync(join(dir, 'out', 'copy', 'sub', 'b.txt'), 'utf8')).toBe('b');
    expect(readFileSync(join(dir, 'out', 'copy', 'sub', long), 'utf8')).toBe('long');
  });

  it('reads archives the tar program writes', async () => {
    const file = join(dir, 'sys.tar.gz');
    execFileSync('tar', ['-czf', file, '-C', join(dir, 'src'), 'tree']);
    const top = await unpackTar(gunzipSync(readFileSync(file)), join(dir, 'sys'));
    expect(top).toEqual(['tree']);
    expect(readFileSync(join(dir, 'sys', 'tree', 'sub', long), 'utf8')).toBe('long');
  });

  it('keeps artifacts raw when the key is not an archive, and lists keys', async () => {
    await repo.save('wf/raw/tree', join(dir, 'src', 'tree'));
    expect(statSync(join(dir, 'repo', 'wf', 'raw', 'tree')).isDirectory()).toBe(true);
    await repo.load('wf/raw/tree', join(dir, 'out', 'raw'));
    expect(readFileSync(join(dir, 'out', 'raw', 'a.txt'), 'utf8')).toBe('a');
    expect(await repo.list('wf/raw')).toEqual([
      `wf/raw/tree/a.txt`,
      `wf/raw/tree/sub/b.txt`,
      `wf/raw/tree/sub/${long}`,
    ]);
  });

  it('refuses keys outside the repository and reports missing ones', async () => {
    await expect(repo.save('../escape', join(dir, 'src', 'hello.txt'))).rejects.toSatisfy(
      (err) => isPlinthError(err) && err.code === 'INVALID_INPUT',
    );
    await expect(repo.load('wf/none.tgz', join(dir, 'out', 'x'))).rejects.toSatisfy(
      (err) => isPlinthError(err) && err.code === 'NOT_FOUND',
    );
    expect(await repo.exists('wf/none.tgz')).toBe(false);
  });
});
