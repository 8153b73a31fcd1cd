import type { Findings } from './findings.js';
import type { ManifestSet } from './manifests.js';

/** What every rule reads and writes. */
export interface RuleContext {
  set: ManifestSet;
  findings: Findings;
  /** The lines of a file linted, for positions inside strings. */
  lines(file: string): readonly string[];
}
