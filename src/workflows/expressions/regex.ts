import { RE2JS } from 're2js';
import { checkString, expressionError } from './limits.js';

/**
 * Regular expressions in Go's RE2 syntax, matched in linear time: a pattern
 * from a manifest can never make matching hang, as a backtracking engine could.
 */
export interface GoRegex {
  test(s: string): boolean;
  /** Up to `n` matches (all when n < 0), as Go's FindAllString. */
  findAll(s: string, n: number): string[];
  /** The first match, or '' as Go's FindString. */
  find(s: string): string;
  /** Replaces every match; `$1`, `${name}` expand unless `literal`. */
  replaceAll(s: string, repl: string, literal: boolean): string;
  /** Go's Split: at most `n` pieces when n > 0, all when n < 0. */
  split(s: string, n: number): string[];
}

export function compileRegex(pattern: string): GoRegex {
  if (pattern.length > 10_000) throw expressionError('regular expression too long', 'limit');
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    throw expressionError(`error parsing regexp: ${(err as Error).message}: \`${pattern}\``);
  }
  const matches = (s: string, n: number): RegExpMatchArray[] => {
    const out: RegExpMatchArray[] = [];
    if (n === 0) return out;
    for (const m of re.matchAll(s)) {
      out.push(m);
      if (n > 0 && out.length >= n) break;
    }
    return out;
  };
  return {
    test: (s) => re.test(s),
    find: (s) => matches(s, 1)[0]?.[0] ?? '',
    findAll: (s, n) => matches(s, n).map((m) => m[0]),
    replaceAll(s, repl, literal) {
      let out = '';
      let last = 0;
      for (const m of matches(s, -1)) {
        const start = m.index ?? 0;
        out += s.slice(last, start) + (literal ? repl : expand(repl, m));
        checkString(out);
        last = start + m[0].length;
      }
      return out + s.slice(last);
    },
    split(s, n) {
      if (n === 0) return [];
      if (pattern === '' || s === '') return s === '' ? [''] : [...s];
      const out: string[] = [];
      let last = 0;
      for (const m of matches(s, -1)) {
        if (n > 0 && out.length === n - 1) break;
        const start = m.index ?? 0;
        if (m[0].length === 0 && start === 0) continue;
        out.push(s.slice(last, start));
        last = start + m[0].length;
      }
      out.push(s.slice(last));
      return out;
    },
  };
}

/** Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expand(template: string, m: RegExpMatchArray): string {
  return template.replace(
    /\$(\$|\{(\w+)\}|(\w+))/g,
    (_w, all: string, braced?: string, bare?: string) => {
      if (all === '$') return '$';
      const name = braced ?? bare ?? '';
      if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
      return m.groups?.[name] ?? '';
    },
  );
}
