import { parseAllDocuments } from 'yaml';
import { indentFlowContinuations, parseManifests, type ParsedDocument } from '../catalog/index.js';
import { isPlinthError, type ManifestError } from '../errors/index.js';
import type { Findings } from './findings.js';
import { LintRule } from './types.js';

/** YAML 1.2 first, so that what only Go's reader accepts is reported. */
const STRICT = { goCompatible: false } as const;

const documentStart = /^(---|\.\.\.)(\s|$)/;

/**
 * The documents of one file. YAML errors become findings; when a file has
 * them, its documents are read one by one so that the good ones are still
 * checked and every broken one is reported.
 */
export function readDocuments(text: string, file: string, findings: Findings): ParsedDocument[] {
  const whole = readLeniently(text, file, findings);
  if (whole) return whole;
  const lines = text.split('\n');
  const starts = [0];
  lines.forEach((line, i) => {
    if (i > 0 && documentStart.test(line)) starts.push(i);
  });
  const docs: ParsedDocument[] = [];
  starts.forEach((start, n) => {
    const end = starts[n + 1] ?? lines.length;
    // Blank lines in place of the other documents keep line numbers true.
    const chunk = lines.map((line, i) => (i >= start && i < end ? line : '')).join('\n');
    try {
      docs.push(...parseManifests(chunk, file, STRICT));
    } catch (err) {
      if (!isManifestError(err)) throw err;
      const lenient = readLeniently(chunk, file, findings);
      if (lenient) docs.push(...lenient);
      else reportYamlError(err, file, findings);
    }
  });
  return docs;
}

/**
 * The documents as Argo's YAML reader (Go's) sees them, which accepts two
 * things YAML 1.2 does not: a repeated key (the last one wins) and flow
 * values continued on lines no deeper than their key. Each is a warning;
 * undefined when the text is broken all the same.
 */
function readLeniently(
  text: string,
  file: string,
  findings: Findings,
): ParsedDocument[] | undefined {
  try {
    return parseManifests(text, file, STRICT);
  } catch (err) {
    if (!isManifestError(err)) throw err;
  }
  const fixed = indentFlowContinuations(text);
  let docs: ParsedDocument[];
  try {
    docs = parseManifests(fixed.text, file, { uniqueKeys: false });
  } catch (err) {
    if (!isManifestError(err)) throw err;
    return undefined;
  }
  for (const line of fixed.lines) {
    findings.warn(
      { file, position: { line, column: 1 } },
      LintRule.yamlSyntax,
      'this line continues a flow value ([...], {...} or a quoted string) no deeper than its key: Argo reads it, but YAML 1.2 and most other tools do not',
      'indent the continuation lines past the key, or write the value as a block scalar with |',
    );
  }
  for (const doc of parseAllDocuments(fixed.text)) {
    for (const error of doc.errors) {
      if (error.code !== 'DUPLICATE_KEY' || !error.linePos) continue;
      const [{ line, col }] = error.linePos;
      findings.warn(
        { file, position: { line, column: col } },
        LintRule.yamlSyntax,
        'a key repeated in one mapping: Argo keeps the last value and drops the others',
        'merge the two into one key',
      );
    }
  }
  return docs;
}

function isManifestError(err: unknown): err is ManifestError {
  return isPlinthError(err, 'INVALID_MANIFEST');
}

function reportYamlError(err: ManifestError, file: string, findings: Findings): void {
  const located = err.errors.flatMap((p) => {
    const m = /:(\d+):(\d+)$/.exec(p.field);
    if (!m) return [];
    const [message, fix] = splitFix(p.message, p.fix);
    return [{ line: Number(m[1]), column: Number(m[2]), message, fix }];
  });
  if (located.length === 0) {
    const [message, fix] = splitFix(err.message.replace(/^[^:]*(:\d+){0,2}: /, ''), undefined);
    located.push({ line: err.line ?? 1, column: err.column ?? 1, message, fix });
  }
  for (const { line, column, message, fix } of located) {
    findings.error({ file, position: { line, column } }, LintRule.yamlSyntax, message, fix);
  }
}

/** Separates "what (fix)" into its two parts, unless the fix is given apart. */
function splitFix(message: string, fix: string | undefined): [string, string] {
  if (fix !== undefined) return [message.replace(/ \([^()]*\)$/, ''), fix];
  const m = /^(.*) \(([^()]*)\)$/.exec(message);
  return m ? [m[1] ?? message, m[2] ?? ''] : [message, 'fix the YAML syntax here'];
}
