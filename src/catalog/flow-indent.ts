/** A text whose flow continuation lines were indented, and where. */
export interface Reindented {
  text: string;
  /** 1-based lines that were indented, the first of each flow value only. */
  lines: number[];
}

type Quote = '"' | "'";

const valueStart = /^(?:-\s+)*(?:(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^\s#'"[\]{}][^#]*?):(?:\s+|$))?/;

/**
 * Indents the continuation lines of multi-line flow values (`args: ["...`
 * ending on a later line) that sit no deeper than the line the value starts
 * on. YAML 1.2 forbids them; Go's YAML reader, which Argo uses, accepts them
 * (Argo's own examples have them). Line numbers stay as they were.
 */
export function indentFlowContinuations(text: string): Reindented {
  const out: string[] = [];
  const lines: number[] = [];
  let depth = 0;
  let quote: Quote | undefined;
  let base = 0;
  let reported = false;
  const scan = (line: string, from: number): void => {
    for (let i = from; i < line.length; i++) {
      const c = line[i];
      if (quote === '"') {
        if (c === '\\') i++;
        else if (c === '"') quote = undefined;
      } else if (quote === "'") {
        if (c === "'" && line[i + 1] === "'") i++;
        else if (c === "'") quote = undefined;
      } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) {
        return;
      } else if ((c === '"' || c === "'") && /^[\s[{,:]?$/.test(line.slice(i - 1, i).trim())) {
        quote = c;
      } else if (c === '[' || c === '{') depth++;
      else if (c === ']' || c === '}') depth--;
      if (depth <= 0 && quote === undefined) {
        depth = 0;
        return;
      }
    }
  };
  text.split('\n').forEach((raw, n) => {
    let line = raw;
    const indent = line.length - line.trimStart().length;
    if (depth > 0 || quote !== undefined) {
      if (line.trim() !== '' && indent <= base) {
        line = ' '.repeat(base + 1 - indent) + line;
        if (!reported) lines.push(n + 1);
        reported = true;
      }
      scan(line, 0);
    } else {
      const content = line.slice(indent);
      const at = indent + (valueStart.exec(content)?.[0].length ?? 0);
      if (/^["'[{]/.test(line.slice(at))) {
        base = indent;
        reported = false;
        if (line[at] === '"' || line[at] === "'") {
          quote = line[at] as Quote;
          scan(line, at + 1);
        } else scan(line, at);
      }
    }
    out.push(line);
  });
  return { text: out.join('\n'), lines };
}
