import type { Finding, LintReport } from './types.js';

/** A finding as compilers print them: `FILE:LINE:COLUMN: error|warning: what (fix)`. */
export function formatFinding(f: Finding): string {
  const fix = f.fix ? ` (${f.fix})` : '';
  return `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message}${fix}`;
}

/** The closing line of a report, e.g. `2 errors, 1 warning in 3 files`. */
export function formatSummary(report: LintReport): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const files = count(report.files.length, 'file');
  if (report.findings.length === 0) return `no problems in ${files}`;
  return `${count(report.errors, 'error')}, ${count(report.warnings, 'warning')} in ${files}`;
}
