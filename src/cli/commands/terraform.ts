import type { Command } from 'commander';
import type { RunTerraformCommand, Session } from '../context.js';

async function loadRunTerraformCommand(): Promise<RunTerraformCommand> {
  const mod = await import('../../terraform/index.js');
  return mod.runTerraformCommand;
}

/** Runs `plinth terraform ARGS...`; every argument goes through untouched. */
export async function runTerraform(session: Session, argv: string[]): Promise<number> {
  const { env, stdout, stderr, deps } = session.io;
  const run = deps?.runTerraformCommand ?? (await loadRunTerraformCommand());
  return run(argv, { env, stdout, stderr });
}

/** Lists `plinth terraform` in the help; `runCli` hands its arguments over before parsing. */
export function registerTerraformCommand(program: Command): void {
  program
    .command('terraform')
    .description('the Terraform step that catalog workflows run (plan, apply, destroy, outputs)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]');
}
