import type { Findings } from './findings.js';
import type { ManifestSet } from './manifests.js';
import type { CompiledTables } from './tables/index.js';

/** What every rule reads and writes. */
export interface RuleContext {
  set: ManifestSet;
  findings: Findings;
  /** The field tables, e.g. to follow a trigger parameter's dest through Argo's types. */
  tables: { workflows: CompiledTables; events: CompiledTables };
  /** The lines of a file linted, for positions inside strings. */
  lines(file: string): readonly string[];
}
