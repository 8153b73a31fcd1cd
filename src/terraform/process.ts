import { spawn } from 'node:child_process';
import { PlinthError } from '../errors/index.js';
import { terraformFailed, type Diagnostic } from './diagnostics.js';
import type { TerraformProgress } from './types.js';

/** One JSON line of Terraform's machine-readable UI (`-json` on plan, apply, destroy). */
export interface UiMessage {
  '@level': string;
  '@message': string;
  type: string;
  diagnostic?: Diagnostic;
  changes?: { add: number; change: number; remove: number };
}

export interface RunOptions {
  bin: string;
  dir: string;
  env: Record<string, string | undefined>;
  /** Parse stdout as a stream of UI messages. */
  stream?: boolean;
  onProgress?: ((progress: TerraformProgress) => void) | undefined;
  /** Exit codes other than 0 that are answers, not failures (2 for `plan -detailed-exitcode`). */
  okCodes?: number[];
}

export interface RunResult {
  stdout: string;
  messages: UiMessage[];
  code: number;
}

/** Runs terraform once (never through a shell) and throws TERRAFORM_FAILED when it fails. */
export function runTerraform(args: string[], options: RunOptions): Promise<RunResult> {
  const command = args[0] ?? '';
  return new Promise((resolve, reject) => {
    const child = spawn(options.bin, args, {
      cwd: options.dir,
      env: {
        ...options.env,
        TF_IN_AUTOMATION: '1',
        TF_INPUT: '0',
        // Terraform otherwise asks a remote service whether a newer version exists.
        CHECKPOINT_DISABLE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const messages: UiMessage[] = [];
    let pending = '';
    const takeLine = (line: string): void => {
      if (!line.trim()) return;
      let message: UiMessage;
      try {
        message = JSON.parse(line) as UiMessage;
      } catch {
        return;
      }
      messages.push(message);
      options.onProgress?.({
        type: message.type,
        level: message['@level'],
        message: message['@message'],
      });
    };
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      if (!options.stream) return;
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(takeLine);
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      const message =
        error.code === 'ENOENT'
          ? `the terraform executable "${options.bin}" was not found (install Terraform or set PLINTH_TERRAFORM_BIN)`
          : `terraform ${command} could not start: ${error.message}`;
      reject(new PlinthError('TERRAFORM_FAILED', message, { cause: error }));
    });
    child.on('close', (code) => {
      if (options.stream) takeLine(pending);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0 || (code !== null && options.okCodes?.includes(code))) {
        resolve({ stdout, messages, code: code ?? 0 });
        return;
      }
      const diagnostics = messages.flatMap((m) => (m.diagnostic ? [m.diagnostic] : []));
      const stderr = Buffer.concat(err).toString('utf8');
      // Without -json, some commands print their diagnostics on stdout.
      reject(
        terraformFailed(command, code, diagnostics, `${stderr}\n${options.stream ? '' : stdout}`),
      );
    });
  });
}
