import type { Finding, LintReport } from './types.js';

/** A finding as compilers print them: `FILE:LINE:COLUMN: error|warning: what (fix)`. */
export function formatFinding(f: Finding): string {
  const fix = f.fix ? ` (${f.fix})` : '';
  return `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message}${fix}`;
}

/**
 * The closing line of a report, opening with the words `argo lint` ends with
 * (`no linting errors found`, `N linting errors found!`), which scripts grep for.
 */
export function formatSummary(report: LintReport): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const files = count(report.files.length, 'file');
  if (report.errors === 0) {
    const warnings = report.warnings > 0 ? `, ${count(report.warnings, 'warning')}` : '';
    return `no linting errors found${warnings} in ${files}`;
  }
  return `${report.errors} linting errors found! (${count(report.errors, 'error')}, ${count(report.warnings, 'warning')} in ${files})`;
}
