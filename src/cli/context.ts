import type { CliStream } from './output.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../logging/index.js';

/** Everything a command touches outside itself; tests give their own. */
export interface CliIO {
  env: Record<string, string | undefined>;
  stdout: CliStream;
  stderr: CliStream;
  /** Base for relative paths; default `process.cwd()`. */
  cwd?: string;
  /** Pause between status polls; default 500 ms. */
  pollIntervalMs?: number;
  /** How long `env create`/`env delete` wait for the run without `--wait`; default 5 s. */
  briefWaitMs?: number;
  /** Replacements for the heavy modules and the process, for tests. */
  deps?: CliDeps;
}

/** Collaborators loaded on demand, so client commands start fast. */
export interface CliDeps {
  startPlatform?: StartPlatform;
  runTerraformCommand?: RunTerraformCommand;
  /** Subscribes to SIGINT/SIGTERM; returns the unsubscribe. */
  onSignal?: (handler: (signal: string) => void) => () => void;
  /** Ends the process at once (a second signal during shutdown). */
  exit?: (code: number) => void;
  fetch?: typeof fetch;
}

/** The state of one `runCli` call. */
export interface Session {
  readonly io: CliIO;
  exitCode: number;
}

/** Wraps a command's body so that its result becomes the process's exit code. */
export function action<A extends unknown[]>(
  session: Session,
  fn: (...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    session.exitCode = await fn(...args);
  };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A webhook endpoint the platform listens on. */
export interface EventSourceUrl {
  eventSourceName: string;
  eventName: string;
  method: string;
  url: string;
}

/** A started platform, as the composition root returns it. */
export interface PlatformHandle {
  urls: { api: string; docs: string; eventSources: EventSourceUrl[] };
  /** Set only when the admin token was generated at this start. */
  adminToken?: string | undefined;
  stop(): Promise<void>;
}

/** The composition root's entry point. */
export type StartPlatform = (config: Config, opts?: { logger?: Logger }) => Promise<PlatformHandle>;

/** The terraform step command: argv after `plinth terraform`, resolves to the exit code. */
export type RunTerraformCommand = (
  argv: string[],
  io: { env: Record<string, string | undefined>; stdout: CliStream; stderr: CliStream },
) => Promise<number>;
