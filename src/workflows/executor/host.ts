import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutputStream, StepHandle, StepResult, StepRunner, StepSpec } from './types.js';

/** The name a script's source is written under, in the node's working directory. */
export const SCRIPT_FILE = 'script';

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface HostStepRunnerOptions {
  /** Platform variables every step gets (PLINTH_DATA_DIR, ...). */
  stepEnv?: Record<string, string>;
  /** Seconds between SIGTERM and SIGKILL. */
  graceSeconds?: number;
  /** Where the `plinth` launcher is; found from this package when omitted. */
  binDir?: string;
  /** How much of stdout to keep for `outputs.result`. */
  maxStdoutBytes?: number;
}

/**
 * Runs each step as a host process in its own process group, with a clean
 * environment: PATH (node, plinth, the system), HOME (the working directory),
 * the platform's variables, then the step's own.
 */
export function createHostStepRunner(opts: HostStepRunnerOptions = {}): StepRunner {
  const graceMs = (opts.graceSeconds ?? 10) * 1000;
  const maxStdout = opts.maxStdoutBytes ?? 256 * 1024 + 1;
  const binDir = opts.binDir ?? join(packageRoot(), 'bin');
  const path = [dirname(process.execPath), binDir, SYSTEM_PATH].join(':');

  return {
    start(spec: StepSpec): StepHandle {
      mkdirSync(spec.workDir, { recursive: true });
      const argv = [...spec.argv];
      if (spec.script !== undefined) {
        const file = join(spec.workDir, SCRIPT_FILE);
        writeFileSync(file, spec.script, { mode: 0o755 });
        argv.push(file);
      }
      const env = { PATH: path, HOME: spec.workDir, ...opts.stepEnv, ...spec.env };
      const [program, ...args] = argv;
      let killTimer: NodeJS.Timeout | undefined;
      let exited = false;

      const child = spawn(program ?? '', args, {
        cwd: spec.workDir,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });

      const stdout = new TailBuffer(maxStdout);
      const split = (stream: OutputStream) => {
        let partial = '';
        return {
          push(chunk: string) {
            const lines = (partial + chunk).split('\n');
            partial = lines.pop() ?? '';
            for (const line of lines) spec.onLine?.(stream, line);
          },
          end() {
            if (partial) spec.onLine?.(stream, partial);
            partial = '';
          },
        };
      };
      const out = split('stdout');
      const err = split('stderr');
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        stdout.push(chunk);
        out.push(chunk);
      });
      child.stderr.on('data', (chunk: string) => err.push(chunk));

      const done = new Promise<StepResult>((resolve) => {
        let startError: string | undefined;
        child.on('error', (e) => {
          startError = e.message;
        });
        child.on('close', (code, signal) => {
          exited = true;
          if (killTimer) clearTimeout(killTimer);
          out.end();
          err.end();
          resolve({
            exitCode: startError ? null : code,
            signal,
            stdout: stdout.text(),
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
    },
  };
}

/** Keeps the last `max` characters of a stream. */
class TailBuffer {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  push(chunk: string): void {
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
