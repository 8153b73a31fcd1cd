import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from '../config/index.js';
import { isPlinthError } from '../errors/index.js';
import { registerAppCommands, registerConfigCommands } from './commands/app.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerCatalogCommands } from './commands/catalog.js';
import { registerDeployCommand, runDeploy } from './commands/deploy.js';
import { registerEnvCommands } from './commands/env.js';
import { registerEventsCommands } from './commands/events.js';
import { registerInfraCommands } from './commands/infra.js';
import { registerLintCommand } from './commands/lint.js';
import { registerRenderCommand } from './commands/render.js';
import { registerRunCommand } from './commands/run.js';
import { registerRunsCommands } from './commands/runs.js';
import { registerSensorCommands } from './commands/sensor.js';
import { registerTerraformCommand, runTerraform } from './commands/terraform.js';
import { registerTokensCommands } from './commands/tokens.js';
import { registerUpCommand } from './commands/up.js';
import { registerWorkflowCommands } from './commands/workflows.js';
import type { CliIO, Session } from './context.js';
import { describeError } from './errors.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Builds the `plinth` command tree for one run; nothing is shared between runs. */
export function createProgram(session: Session): Command {
  const { stdout, stderr } = session.io;
  const program = new Command('plinth')
    .description(
      'A self-service internal developer platform: Argo Events and Workflows on one machine.',
    )
    .version(packageVersion(), '--version', 'print the version')
    // Root options only before the verb, so a verb may take its own --version (plinth app deploy).
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void stdout.write(s),
      writeErr: (s) => void stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'plinth: ')),
    })
    .showHelpAfterError('(add --help for usage)');

  registerUpCommand(program, session);
  registerEnvCommands(program, session);
  registerCatalogCommands(program, session);
  registerInfraCommands(program, session);
  registerRunsCommands(program, session);
  registerWorkflowCommands(program, session);
  registerRunCommand(program, session);
  registerSensorCommands(program, session);
  registerEventsCommands(program, session);
  registerLintCommand(program, session);
  registerRenderCommand(program, session);
  registerTokensCommands(program, session);
  registerAuditCommand(program, session);
  registerTerraformCommand(program);
  registerAppCommands(program, session);
  registerConfigCommands(program, session);
  registerDeployCommand(program);
  return program;
}

/**
 * Runs `plinth` with `argv` (the arguments after the program name) and
 * resolves to the exit code: 0 success, 1 a failed operation or API error,
 * 2 a usage or configuration error.
 */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const session: Session = { io, exitCode: 0 };
  try {
    if (argv[0] === 'terraform') return await runTerraform(session, argv.slice(1));
    if (argv[0] === 'deploy') return await runDeploy(session, argv.slice(1));
    await createProgram(session).parseAsync(argv, { from: 'user' });
    return session.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const lines = isPlinthError(err)
      ? describeError(err)
      : [`plinth: ${err instanceof Error ? err.message : String(err)}`];
    for (const line of lines) io.stderr.write(`${line}\n`);
    return 1;
  }
}
