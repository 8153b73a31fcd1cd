import { InputError } from '../../errors/index.js';

/** A trigger's `conditions`: dependency names joined with `&&`, `||` and parentheses. */
export interface Conditions {
  readonly source: string;
  /** The dependency names it reads, in order of appearance. */
  readonly names: readonly string[];
  /** Whether it holds with the dependencies in `resolved`. */
  holds(resolved: ReadonlySet<string>): boolean;
}

type Node = { type: 'name'; name: string } | { type: 'and' | 'or'; left: Node; right: Node };

const token = /\s*(&&|\|\||\(|\)|[A-Za-z0-9_.-]+)/y;

function invalid(source: string, why: string): InputError {
  return new InputError(`invalid conditions ${JSON.stringify(source)}: ${why}`, {
    errors: [
      {
        field: 'conditions',
        message: why,
        fix: 'join dependency names with &&, || and parentheses',
      },
    ],
  });
}

function tokenize(source: string): string[] {
  const out: string[] = [];
  token.lastIndex = 0;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    token.lastIndex = at;
    const m = token.exec(source);
    if (!m)
      throw invalid(
        source,
        `unexpected ${JSON.stringify(source.slice(at).trim()[0])} at ${at + 1}`,
      );
    out.push(m[1] as string);
    at = token.lastIndex;
  }
  return out;
}

/**
 * Reads a conditions expression as Argo does: names of dependencies, `&&`
 * binding tighter than `||`, parentheses. Given the sensor's dependency
 * names, a name in the expression means the dependency it equals, or else
 * the one it equals with `-` and `_` taken as the same (Argo rewrites both to
 * `_`). Throws InputError for anything else.
 */
export function parseConditions(source: string, dependencies?: readonly string[]): Conditions {
  const tokens = tokenize(source);
  const names: string[] = [];
  let pos = 0;
  const expect = (): string => {
    const t = tokens[pos];
    if (t === undefined) throw invalid(source, 'it ends where a dependency name is expected');
    return t;
  };
  const primary = (): Node => {
    const t = expect();
    pos++;
    if (t === '(') {
      const inner = or();
      if (tokens[pos] !== ')') throw invalid(source, 'a parenthesis is not closed');
      pos++;
      return inner;
    }
    if (t === ')' || t === '&&' || t === '||')
      throw invalid(source, `unexpected "${t}" where a dependency name is expected`);
    const name = dependencyNamed(t, dependencies);
    if (!names.includes(name)) names.push(name);
    return { type: 'name', name };
  };
  const and = (): Node => {
    let left = primary();
    while (tokens[pos] === '&&') {
      pos++;
      left = { type: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (tokens[pos] === '||') {
      pos++;
      left = { type: 'or', left, right: and() };
    }
    return left;
  };
  const root = or();
  if (pos < tokens.length) throw invalid(source, `unexpected "${tokens[pos]}"`);
  const holds = (node: Node, resolved: ReadonlySet<string>): boolean =>
    node.type === 'name'
      ? resolved.has(node.name)
      : node.type === 'and'
        ? holds(node.left, resolved) && holds(node.right, resolved)
        : holds(node.left, resolved) || holds(node.right, resolved);
  return { source, names, holds: (resolved) => holds(root, resolved) };
}

const underscored = (name: string): string => name.replaceAll('-', '_');

function dependencyNamed(name: string, dependencies: readonly string[] | undefined): string {
  if (dependencies === undefined || dependencies.includes(name)) return name;
  return dependencies.find((d) => underscored(d) === underscored(name)) ?? name;
}
