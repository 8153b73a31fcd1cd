import { compileLintTables, lintSourcesWith } from './lint.js';
import { readSources } from './files.js';
import type { LintReport, LintSource } from './types.js';

/** Checks Argo manifests as `argo lint` does, and more. */
export interface Linter {
  /** Lints files and folders (their .yaml, .yml and .json files, recursively) as one set. */
  lintPaths(paths: readonly string[]): Promise<LintReport>;
  /** Lints texts as one set, e.g. manifests that are not on disk. */
  lintSources(sources: readonly LintSource[]): LintReport;
}

/** Options of `createLinter`. */
export interface LinterOptions {
  /** Base of relative paths; default `process.cwd()`. */
  cwd?: string;
}

/**
 * Creates a linter. References (templates, templateRefs, EventBuses,
 * EventSources and their events) are checked across every file of one call;
 * a reference to a kind that none of those files defines is a warning, since
 * the manifest it names may live elsewhere.
 */
export function createLinter(options: LinterOptions = {}): Linter {
  const tables = compileLintTables();
  const cwd = options.cwd ?? process.cwd();
  return {
    lintSources: (sources) => lintSourcesWith(tables, sources),
    lintPaths: async (paths) => lintSourcesWith(tables, await readSources(paths, cwd)),
  };
}
