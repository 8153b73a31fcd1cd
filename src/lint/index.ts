export { createLinter, type Linter, type LinterOptions } from './linter.js';
export { formatFinding, formatSummary } from './format.js';
export { LintRule, Severity } from './types.js';
export type { Finding, LintReport, LintSource } from './types.js';
