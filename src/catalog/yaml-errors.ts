import { isScalar, visit, type Document, type LineCounter, type YAMLError } from 'yaml';
import { ManifestError, type FieldProblem } from '../errors/index.js';

const FIXES: Record<string, string> = {
  TAB_AS_INDENT: 'indent with spaces, never tabs',
  BAD_INDENT: 'line up the keys of one mapping at the same indentation',
  MULTILINE_IMPLICIT_KEY:
    'a key and its ":" must be on one line; check for a missing ": " or a comment without "#"',
  DUPLICATE_KEY: 'remove or rename one of the repeated keys',
  MISSING_CHAR: 'add the missing closing quote or bracket',
  BAD_SCALAR_START: 'quote the value',
  BLOCK_AS_IMPLICIT_KEY: 'put the nested block on its own lines under the key',
  UNEXPECTED_TOKEN: 'check the indentation and quoting around here',
  MULTIPLE_DOCS: 'separate documents with a line holding only "---"',
};

function describe(error: YAMLError): string {
  const first = error.message.split('\n')[0] ?? error.message;
  const message = first.replace(/ at line \d+, column \d+:?$/, '');
  return `${message} (${FIXES[error.code] ?? 'fix the YAML syntax here'})`;
}

interface SlashComment {
  line: number;
  column: number;
}

/**
 * Lines where the author wrote a `//` comment, found as plain scalars that
 * start with `//` (block and quoted strings are left alone).
 */
function slashComments(doc: Document, lineCounter: LineCounter): SlashComment[] {
  const found: SlashComment[] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (!isScalar(node) || node.type !== 'PLAIN' || !node.range) return;
      const source = typeof node.source === 'string' ? node.source : String(node.value);
      if (!source.startsWith('//')) return;
      const pos = lineCounter.linePos(node.range[0]);
      found.push({ line: pos.line, column: pos.col });
    },
  });
  return found;
}

/**
 * The ManifestError for a document with YAML errors: a `//` comment gets its
 * own message on its own line, as that is what comes of pasting manifests
 * from pages that write comments the JavaScript way.
 */
export function yamlError(file: string, doc: Document, lineCounter: LineCounter): ManifestError {
  const slashes = slashComments(doc, lineCounter);
  const slashMessage = '"//" is not a YAML comment (use "#")';
  if (slashes.length > 0) {
    const [first] = slashes as [SlashComment, ...SlashComment[]];
    const errors: FieldProblem[] = slashes.map((s) => ({
      field: `${file}:${s.line}:${s.column}`,
      message: slashMessage,
      fix: 'start the comment with "#"',
    }));
    return new ManifestError(
      slashMessage,
      { file, line: first.line, column: first.column },
      { errors },
    );
  }
  const [first] = doc.errors as [YAMLError, ...YAMLError[]];
  const at = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
  const errors: FieldProblem[] = doc.errors.map((e) => {
    const p = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    return { field: `${file}:${p.line}:${p.col}`, message: describe(e) };
  });
  return new ManifestError(describe(first), { file, line: at.line, column: at.col }, { errors });
}
