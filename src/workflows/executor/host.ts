import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import {
  isolatedArgv,
  namespacesAvailable,
  prepareStepFilesystem,
  withVisible,
} from './filesystem.js';
import type { OutputStream, StepHandle, StepResult, StepRunner, StepSpec } from './types.js';

/** The name a script's source is written under, in the node's working directory. */
export const SCRIPT_FILE = 'script';

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** How often a running step's output files are read for new lines. */
const TAIL_INTERVAL_MS = 200;

export interface HostStepRunnerOptions {
  /** Platform variables every step gets (PLINTH_DATA_DIR, ...). */
  stepEnv?: Record<string, string>;
  /** Seconds between SIGTERM and SIGKILL. */
  graceSeconds?: number;
  /** Where the `plinth` launcher is; found from this package when omitted. */
  binDir?: string;
  /** How much of stdout to keep for `outputs.result`. */
  maxStdoutBytes?: number;
  /** Give steps their own filesystem when they need one (default: when the machine allows). */
  isolation?: boolean;
  /** Told once when steps cannot have their own filesystem here. */
  onWarning?: (message: string) => void;
}

/**
 * Runs each step as a host process in its own process group, with a clean
 * environment: PATH (node, plinth, the system), HOME (the working directory),
 * the platform's variables, then the step's own. Its stdout and stderr go to
 * files beside the working directory (no pipes), read for lines while it runs
 * long and once it has exited. A step given a filesystem runs in its own
 * mount namespace, where that filesystem is its `/`.
 */
export function createHostStepRunner(opts: HostStepRunnerOptions = {}): StepRunner {
  const graceMs = (opts.graceSeconds ?? 10) * 1000;
  const maxStdout = opts.maxStdoutBytes ?? 256 * 1024 + 1;
  const root = packageRoot();
  const binDir = opts.binDir ?? join(root, 'bin');
  const path = [dirname(process.execPath), binDir, SYSTEM_PATH].join(':');
  const baseEnv = { PATH: path, ...opts.stepEnv };
  // Host paths a step keeps seeing inside its own filesystem: Node, the package, the platform's.
  const ownPaths = [dirname(process.execPath), binDir, root];
  for (const value of Object.values(opts.stepEnv ?? {})) {
    if (isAbsolute(value)) ownPaths.push(value);
  }
  let warned = false;
  let sequence = 0;
  // One timer reads the output of every running step, while any runs.
  const running = new Set<OutputFile>();
  let ticker: NodeJS.Timeout | undefined;
  const follow = (files: OutputFile[]) => {
    for (const f of files) running.add(f);
    ticker ??= setInterval(() => {
      for (const f of running) f.drain(false);
    }, TAIL_INTERVAL_MS).unref();
  };
  const unfollow = (files: OutputFile[]) => {
    for (const f of files) running.delete(f);
    if (running.size === 0 && ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };

  const isolates = (): boolean => {
    if (opts.isolation === false) return false;
    if (namespacesAvailable()) return true;
    if (!warned) {
      warned = true;
      opts.onWarning?.(
        'steps share the host filesystem: `unshare --mount` is not available here, so /tmp and volume paths of parallel steps are not kept apart',
      );
    }
    return false;
  };

  return {
    isolates,
    start(spec: StepSpec): StepHandle {
      try {
        return startStep(spec);
      } catch (err) {
        // The step could not be set up (its directory, its filesystem): it did not start.
        return {
          done: Promise.resolve({
            exitCode: null,
            signal: null,
            stdout: '',
            startError: (err as Error).message,
          }),
          kill() {},
        };
      }
    },
  };

  function startStep(spec: StepSpec): StepHandle {
    mkdirSync(spec.workDir, { recursive: true });
    let argv = [...spec.argv];
    if (spec.script !== undefined) {
      const file = join(spec.workDir, SCRIPT_FILE);
      writeFileSync(file, spec.script, { mode: 0o755 });
      argv.push(file);
    }
    if (spec.filesystem && isolates()) {
      const fs = withVisible(spec.filesystem, [spec.workDir, ...ownPaths]);
      argv = isolatedArgv(fs, prepareStepFilesystem(fs), spec.workDir, argv);
    }
    const env = { HOME: spec.workDir, ...baseEnv, ...spec.env };
    const [program, ...args] = argv;
    let killTimer: NodeJS.Timeout | undefined;
    let exited = false;

    const base = `${spec.workDir}.${process.pid}-${++sequence}`;
    const out = new OutputFile(`${base}.stdout`, 'stdout', spec, maxStdout);
    let err: OutputFile | undefined;
    let child;
    try {
      err = new OutputFile(`${base}.stderr`, 'stderr', spec, 0);
      child = spawn(program ?? '', args, {
        cwd: spec.workDir,
        env,
        detached: true,
        stdio: ['ignore', out.fd, err.fd],
      });
    } catch (e) {
      out.close();
      err?.close();
      throw e;
    }
    const stderr = err;
    follow([out, stderr]);

    const done = new Promise<StepResult>((resolve) => {
      let startError: string | undefined;
      child.on('error', (e) => {
        startError = e.message;
      });
      child.on('close', (code, signal) => {
        exited = true;
        unfollow([out, stderr]);
        if (killTimer) clearTimeout(killTimer);
        out.drain(true);
        stderr.drain(true);
        out.close();
        stderr.close();
        resolve({
          exitCode: startError ? null : code,
          signal,
          stdout: out.kept.text(),
          ...(startError ? { startError } : {}),
        });
      });
    });

    const signalGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    };

    return {
      done,
      kill() {
        if (exited || killTimer) return;
        signalGroup('SIGTERM');
        killTimer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
        killTimer.unref();
      },
    };
  }
}

const READ_SIZE = 64 * 1024;
let readBuffer: Buffer | undefined;

/**
 * One output stream of a step: a file the process writes straight to, read
 * from where the last read ended, split into lines for `onLine`.
 */
class OutputFile {
  readonly fd: number;
  readonly kept: TailBuffer;
  private position = 0;
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly stream: OutputStream,
    private readonly spec: StepSpec,
    keep: number,
  ) {
    this.fd = openSync(file, 'w+');
    this.kept = new TailBuffer(keep);
  }

  /** Reads what was written since the last read; `final` also ends the last line. */
  drain(final: boolean): void {
    if (this.closed) return;
    readBuffer ??= Buffer.allocUnsafe(READ_SIZE);
    for (;;) {
      const n = readSync(this.fd, readBuffer, 0, READ_SIZE, this.position);
      if (n <= 0) break;
      this.position += n;
      this.push(this.decoder.write(readBuffer.subarray(0, n)));
    }
    if (final) {
      this.push(this.decoder.end());
      if (this.partial) this.spec.onLine?.(this.stream, this.partial);
      this.partial = '';
    }
  }

  private push(chunk: string): void {
    if (!chunk) return;
    this.kept.push(chunk);
    if (!this.spec.onLine) return;
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.spec.onLine(this.stream, line);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone.
    }
  }
}

/** Keeps the last `max` characters of a stream. */
class TailBuffer {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  push(chunk: string): void {
    if (this.max === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.max && this.chunks.length > 1) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }
  text(): string {
    const all = this.chunks.join('');
    return all.length > this.max ? all.slice(all.length - this.max) : all;
  }
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}
