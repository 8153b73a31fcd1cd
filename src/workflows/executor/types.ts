import type { StepFilesystem } from './filesystem.js';

/** Which output stream a line came from. */
export type OutputStream = 'stdout' | 'stderr';

/** One step to run: a process (on the host, or wherever a runner puts it). */
export interface StepSpec {
  /** The node's own working directory; created by the runner. */
  workDir: string;
  /** The program and its arguments. */
  argv: string[];
  /** For script templates: the source, written to `workDir` and passed as the last argument. */
  script?: string;
  /** Variables on top of the runner's base environment. */
  env: Record<string, string>;
  /**
   * Called for every line of output, in order per stream: at the latest when
   * the process has exited, and while it runs for a step that runs long.
   */
  onLine?: (stream: OutputStream, text: string) => void;
  /** The step's own filesystem (its /tmp, volumes), for a runner that {@link StepRunner.isolates}. */
  filesystem?: StepFilesystem;
}

/** How a step ended. */
export interface StepResult {
  /** The exit code, or null when ended by a signal or not started. */
  exitCode: number | null;
  signal: string | null;
  /** Standard output, at most its last `maxStdoutBytes` bytes. */
  stdout: string;
  /** Set when the process could not be started. */
  startError?: string;
}

export interface StepHandle {
  readonly done: Promise<StepResult>;
  /** Ends the step: SIGTERM to its process group, SIGKILL after the grace period. */
  kill(): void;
}

/** Runs steps. The engine talks to this interface only. */
export interface StepRunner {
  start(spec: StepSpec): StepHandle;
  /** Whether steps given a `filesystem` get it; without, absolute paths are the host's. */
  isolates?(): boolean;
}
