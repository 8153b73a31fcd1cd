import type { Command } from 'commander';
import type { Session } from '../context.js';

/** Runs `plinth deploy ARGS...`, the step the application workflow runs; resolves to the exit code. */
export async function runDeploy(session: Session, argv: string[]): Promise<number> {
  const { env, stdout, stderr } = session.io;
  const { runDeployCommand } = await import('../../platform/index.js');
  return runDeployCommand(argv, { env, stdout, stderr });
}

/** Lists `plinth deploy` in the help; `runCli` hands its arguments over before parsing. */
export function registerDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description(
      'the step that application workflows run: render manifests and deliver them (GitOps or kubectl)',
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]');
}
