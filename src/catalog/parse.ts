import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
} from 'yaml';
import { ManifestError } from '../errors/index.js';
import type { ManifestPath, ParsedDocument, SourcePosition } from './types.js';
import { indentFlowContinuations } from './flow-indent.js';
import { yamlError } from './yaml-errors.js';

/** How {@link parseManifests} reads YAML. */
export interface ManifestParseOptions {
  /** false: a repeated key keeps its last value instead of being an error. */
  uniqueKeys?: boolean;
  /**
   * Default true: text that YAML 1.2 refuses but Go's YAML reader (Argo's)
   * accepts, a repeated key or a flow value continued no deeper than its key,
   * is read as Argo reads it. false: YAML 1.2 only (lint reports the rest).
   */
  goCompatible?: boolean;
}

/** Aliases expand to at most this many nodes, against "billion laughs" documents. */
const MAX_ALIAS_COUNT = 1000;

interface Found {
  node: Node | null;
  key: Node | null;
}

function walk(doc: Document, path: ManifestPath): Found {
  let current: Found = { node: (doc.contents as Node | null) ?? null, key: null };
  for (const segment of path) {
    const { node } = current;
    let next: Found | undefined;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (pair) next = { node: (pair.value as Node | null) ?? null, key: pair.key as Node };
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item !== undefined) next = { node: item as Node, key: null };
    }
    if (!next) break;
    // A key with no value (`name:`) still has a place: its key.
    const empty = !next.node || (next.node.range && next.node.range[0] === next.node.range[1]);
    current = empty ? { node: next.key, key: next.key } : next;
  }
  return current;
}

/**
 * Parses a YAML file of one or more manifests, keeping source positions.
 * Empty documents are skipped. Throws ManifestError (file, line, column and
 * the fix) on a syntax error. By default it reads what Argo's (Go's) YAML
 * reader reads: when YAML 1.2 refuses the text, a repeated key keeping its
 * last value and flow values continued no deeper than their key are
 * accepted, and the YAML 1.2 error is thrown only if that fails as well.
 */
export function parseManifests(
  text: string,
  file: string,
  options: ManifestParseOptions = {},
): ParsedDocument[] {
  if (options.goCompatible === false || options.uniqueKeys === false)
    return parseYaml(text, file, options);
  try {
    return parseYaml(text, file, options);
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    try {
      return parseYaml(indentFlowContinuations(text).text, file, { uniqueKeys: false });
    } catch {
      throw err;
    }
  }
}

function parseYaml(
  text: string,
  file: string,
  options: { uniqueKeys?: boolean },
): ParsedDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: options.uniqueKeys ?? true,
  });
  const at = (offset: number | undefined): SourcePosition => {
    const p = lineCounter.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  const parsed: ParsedDocument[] = [];
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) throw yamlError(file, doc, lineCounter);
    // A document of comments only (or a trailing `---`) holds nothing.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return;
    let object: unknown;
    try {
      object = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      throw new ManifestError(`${(err as Error).message} (use fewer aliases)`, {
        file,
        ...at(doc.contents.range?.[0]),
      });
    }
    parsed.push({
      object,
      file,
      index,
      position: at(doc.contents.range?.[0]),
      locate: (path) => at(walk(doc, path).node?.range?.[0]),
      locateKey: (path) => {
        const found = walk(doc, path);
        return at((found.key ?? found.node)?.range?.[0]);
      },
    });
  });
  return parsed;
}
