import type { ManifestPath, ParsedDocument, SourcePosition } from '../catalog/index.js';
import { Severity, type Finding, type LintRule } from './types.js';

/** Where a finding points: a node of a document (its key or its value), or a position. */
export type Place =
  | { doc: ParsedDocument; path: ManifestPath; at?: 'key' | 'value' }
  | { file: string; position: SourcePosition };

/** Collects the findings of one lint run. */
export class Findings {
  readonly items: Finding[] = [];
  /** While set, errors are recorded as warnings that end with this note. */
  private demotion: string | undefined;

  /**
   * Runs `check` with its errors turned into warnings that end with `note`:
   * for what Argo accepts as it stands and fails only later, e.g. a Workflow
   * inside a Sensor, which Argo Events takes as it is.
   */
  demoted(note: string, check: () => void): void {
    const outer = this.demotion;
    this.demotion = outer ?? note;
    try {
      check();
    } finally {
      this.demotion = outer;
    }
  }

  error(place: Place, rule: LintRule, message: string, fix: string): void {
    this.add(place, Severity.error, rule, message, fix);
  }

  warn(place: Place, rule: LintRule, message: string, fix: string): void {
    this.add(place, Severity.warning, rule, message, fix);
  }

  add(place: Place, severity: Severity, rule: LintRule, message: string, fix: string): void {
    const { file, position } = resolve(place);
    if (severity === Severity.error && this.demotion !== undefined) {
      severity = Severity.warning;
      message = `${message}; ${this.demotion}`;
    }
    this.items.push({ file, ...position, severity, message, fix, rule });
  }

  /** The findings ordered by file (in the order of `files`), line, column. */
  sorted(files: readonly string[]): Finding[] {
    const order = new Map(files.map((f, i) => [f, i]));
    return [...this.items].sort(
      (a, b) =>
        (order.get(a.file) ?? Infinity) - (order.get(b.file) ?? Infinity) ||
        a.file.localeCompare(b.file) ||
        a.line - b.line ||
        a.column - b.column,
    );
  }
}

function resolve(place: Place): { file: string; position: SourcePosition } {
  if ('position' in place) return place;
  const { doc, path } = place;
  const position = place.at === 'key' ? doc.locateKey(path) : doc.locate(path);
  return { file: doc.file, position };
}
