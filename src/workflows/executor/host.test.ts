import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPath, namespacesAvailable, planStepFilesystem } from './filesystem.js';
import { createHostStepRunner } from './host.js';
import type { OutputStream } from './types.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plinth-executor-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whether a process is still running (not gone, not a zombie waiting to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('host step runner: output', () => {
  it('gives every line in order per stream, the stdout as the result, and leaves no output files', async () => {
    const runner = createHostStepRunner();
    const lines: [OutputStream, string][] = [];
    const workDir = join(dir, 'lines');
    const handle = runner.start({
      workDir,
      argv: ['/bin/sh', '-c', 'for i in 1 2 3; do echo out$i; echo err$i >&2; done; printf tail'],
      env: {},
      onLine: (stream, text) => lines.push([stream, text]),
    });
    const result = await handle.done;
    expect(result).toMatchObject({ exitCode: 0, signal: null, stdout: 'out1\nout2\nout3\ntail' });
    expect(lines.filter(([s]) => s === 'stdout').map(([, t]) => t)).toEqual([
      'out1',
      'out2',
      'out3',
      'tail',
    ]);
    expect(lines.filter(([s]) => s === 'stderr').map(([, t]) => t)).toEqual([
      'err1',
      'err2',
      'err3',
    ]);
    expect(readdirSync(dir).filter((f) => f.startsWith('lines.'))).toEqual([]);
  });

  it('gives the lines of a long step while it runs', async () => {
    const runner = createHostStepRunner();
    const seen: string[] = [];
    let first: () => void = () => undefined;
    const firstLine = new Promise<void>((resolve) => (first = resolve));
    const handle = runner.start({
      workDir: join(dir, 'live'),
      argv: ['/bin/sh', '-c', 'echo early; sleep 3; echo late'],
      env: {},
      onLine: (_stream, text) => {
        seen.push(text);
        first();
      },
    });
    await firstLine;
    expect(seen).toEqual(['early']);
    await handle.done;
    expect(seen).toEqual(['early', 'late']);
  });

  it('reports a program that cannot start', async () => {
    const result = await createHostStepRunner().start({
      workDir: join(dir, 'missing'),
      argv: ['/no/such/program'],
      env: {},
    }).done;
    expect(result.exitCode).toBeNull();
    expect(result.startError).toMatch(/ENOENT/);
  });
});

describe('step filesystem plan', () => {
  const fs = planStepFilesystem({
    root: '/data/wf/n.root',
    paths: ['/tmp/message', '/result.txt', '/go/src/x', '/usr/local/bin/kubectl'],
    mounts: [
      { source: '/data/wf/volumes/work', mountPath: '/mnt/vol' },
      { source: '/data/wf/n.volumes/cache', mountPath: '/mnt/vol/cache' },
    ],
    visible: ['/data/wf/n', '/tmp/plinth-x', '/tmp/plinth-x/inner', '/mnt/vol/hidden', '/usr/bin'],
  });

  it('makes /tmp and the named top-level directories private, keeping the system shared', () => {
    expect(fs.privateTops).toEqual(['go', 'mnt', 'tmp']);
    expect(fs.visible).toEqual(['/tmp/plinth-x']);
  });

  it('maps the step paths to the host', () => {
    expect(hostPath(fs, '/tmp/message')).toBe('/data/wf/n.root/tmp/message');
    expect(hostPath(fs, '/result.txt')).toBe('/data/wf/n.root/result.txt');
    expect(hostPath(fs, '/go/src/x')).toBe('/data/wf/n.root/go/src/x');
    expect(hostPath(fs, '/mnt/vol/a/b')).toBe('/data/wf/volumes/work/a/b');
    expect(hostPath(fs, '/mnt/vol/cache/c')).toBe('/data/wf/n.volumes/cache/c');
    expect(hostPath(fs, '/tmp/plinth-x/y')).toBe('/tmp/plinth-x/y');
    expect(hostPath(fs, '/usr/local/bin/kubectl')).toBeUndefined();
  });
});

describe.runIf(namespacesAvailable())('host step runner: a private filesystem', () => {
  const runner = createHostStepRunner({ graceSeconds: 1 });

  function filesystem(name: string, paths: string[], volume?: string) {
    return planStepFilesystem({
      root: join(dir, `${name}.root`),
      paths,
      mounts: volume ? [{ source: volume, mountPath: '/mnt/vol' }] : [],
      visible: [dir],
    });
  }

  it('gives two parallel steps their own /tmp, a script file and working directory that still work', async () => {
    const steps = ['one', 'two'].map((name) => {
      const fs = filesystem(name, ['/tmp/message']);
      const handle = runner.start({
        workDir: join(dir, name),
        argv: ['/bin/sh'],
        script: `echo ${name} > /tmp/message; sleep 0.3; cat /tmp/message; pwd; ls /tmp | grep -c message`,
        env: {},
        filesystem: fs,
      });
      return { name, fs, handle };
    });
    for (const { name, fs, handle } of steps) {
      const result = await handle.done;
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(`${name}\n${join(dir, name)}\n1\n`);
      expect(readFileSync(hostPath(fs, '/tmp/message')!, 'utf8')).toBe(`${name}\n`);
    }
    expect(existsSync('/tmp/message') && readFileSync('/tmp/message', 'utf8') === 'one\n').toBe(
      false,
    );
  });

  it('binds a volume read-only when asked', async () => {
    const volume = join(dir, 'volume');
    const fs = planStepFilesystem({
      root: join(dir, 'ro.root'),
      paths: [],
      mounts: [{ source: volume, mountPath: '/mnt/vol', readOnly: true }],
      visible: [dir],
    });
    const result = await runner.start({
      workDir: join(dir, 'ro'),
      argv: ['/bin/sh', '-c', 'echo x > /mnt/vol/f 2>/dev/null && echo wrote || echo refused'],
      env: {},
      filesystem: fs,
    }).done;
    expect(result.stdout).toBe('refused\n');
  });

  it('ends the whole process group of an isolated step, with SIGKILL after the grace period', async () => {
    const workDir = join(dir, 'kill');
    const handle = runner.start({
      workDir,
      argv: ['/bin/sh', '-c', "trap '' TERM; sleep 30 & echo $! > /tmp/child; echo started; wait"],
      env: {},
      filesystem: filesystem('kill', ['/tmp/child']),
    });
    const childFile = join(dir, 'kill.root', 'tmp', 'child');
    const deadline = Date.now() + 10_000;
    while (!existsSync(childFile) || readFileSync(childFile, 'utf8').trim() === '') {
      if (Date.now() > deadline) throw new Error('the step did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const child = Number(readFileSync(childFile, 'utf8').trim());
    expect(alive(child)).toBe(true);
    const started = Date.now();
    handle.kill();
    const result = await handle.done;
    expect(result.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(child)).toBe(false);
  });
});
