import { Option, type Command } from 'commander';
import { action, type Session } from '../context.js';
import { createOutput } from '../output.js';

/** The output formats of `plinth lint`. */
const LintFormat = { text: 'text', json: 'json' } as const;
type LintFormat = (typeof LintFormat)[keyof typeof LintFormat];

/** Adds `plinth lint FILE_OR_DIR... [-o json]`. */
export function registerLintCommand(program: Command, session: Session): void {
  program
    .command('lint')
    .description(
      'check Argo manifests like argo lint: schema, unknown fields, references, parameters (exit 1 on errors)',
    )
    .argument('<paths...>', 'manifest files, and folders of them (.yaml, .yml, .json)')
    .addOption(
      new Option('-o, --output <format>', 'output format: one line a finding, or a JSON array')
        .choices(Object.values(LintFormat))
        .default(LintFormat.text),
    )
    .action(
      action(session, async (paths: string[], flags: { output: LintFormat }) => {
        const { createLinter, formatFinding, formatSummary } = await import('../../lint/index.js');
        const { stdout, stderr, env, cwd } = session.io;
        const linter = createLinter({ cwd: cwd ?? process.cwd() });
        const report = await linter.lintPaths(paths);
        if (flags.output === LintFormat.json) {
          stdout.write(`${JSON.stringify(report.findings, null, 2)}\n`);
        } else {
          const out = createOutput({ stdout, stderr, env });
          for (const finding of report.findings) {
            const line = formatFinding(finding);
            const label = `${finding.severity}:`;
            const style = finding.severity === 'error' ? 'red' : 'yellow';
            out.line(out.color ? line.replace(label, out.paint(label, style)) : line);
          }
          out.note(formatSummary(report));
        }
        return report.errors > 0 ? 1 : 0;
      }),
    );
}
