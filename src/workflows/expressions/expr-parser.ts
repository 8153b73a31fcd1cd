import { TokenKind, tokenize, type Token } from './expr-lexer.js';
import { LIMITS, expressionError } from './limits.js';

/** A node of an expr syntax tree. */
export type Node =
  | { k: 'nil' }
  | { k: 'bool'; v: boolean }
  | { k: 'num'; v: number; float: boolean }
  | { k: 'str'; v: string }
  | { k: 'ident'; name: string }
  /** `#`, `#acc`, `#index`, and the implicit element of `.field` inside a predicate. */
  | { k: 'ptr'; name: string }
  | { k: 'unary'; op: string; x: Node }
  | { k: 'binary'; op: string; l: Node; r: Node }
  | { k: 'member'; obj: Node; prop: Node; optional: boolean }
  /** The end of an optional chain: a nil met inside it makes the whole chain nil. */
  | { k: 'chain'; x: Node }
  | { k: 'slice'; obj: Node; from?: Node; to?: Node }
  | { k: 'call'; callee: Node; args: Node[] }
  | { k: 'builtin'; name: string; args: Node[] }
  | { k: 'pred'; body: Node }
  | { k: 'array'; items: Node[] }
  | { k: 'map'; pairs: [Node, Node][] }
  | { k: 'cond'; c: Node; a: Node; b: Node }
  | { k: 'let'; name: string; value: Node; body: Node }
  | { k: 'seq'; nodes: Node[] };

const BINARY: Record<string, { prec: number; right?: boolean }> = {
  '|': { prec: 0 },
  or: { prec: 10 },
  '||': { prec: 10 },
  and: { prec: 15 },
  '&&': { prec: 15 },
  '==': { prec: 20 },
  '!=': { prec: 20 },
  '<': { prec: 20 },
  '>': { prec: 20 },
  '>=': { prec: 20 },
  '<=': { prec: 20 },
  in: { prec: 20 },
  matches: { prec: 20 },
  contains: { prec: 20 },
  startsWith: { prec: 20 },
  endsWith: { prec: 20 },
  '..': { prec: 25 },
  '+': { prec: 30 },
  '-': { prec: 30 },
  '*': { prec: 60 },
  '/': { prec: 60 },
  '%': { prec: 60 },
  '**': { prec: 100, right: true },
  '^': { prec: 100, right: true },
  '??': { prec: 500 },
};
const UNARY: Record<string, number> = { not: 50, '!': 50, '-': 90, '+': 90 };
const COMPARISON = new Set(['<', '>', '<=', '>=']);
const NEGATABLE = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);

/** Builtins whose arguments are predicates (closures over `#`), by argument shape. */
const PREDICATES: Record<string, ('expr' | 'pred' | 'opt-pred' | 'opt-expr')[]> = {
  all: ['expr', 'pred'],
  none: ['expr', 'pred'],
  any: ['expr', 'pred'],
  one: ['expr', 'pred'],
  filter: ['expr', 'pred'],
  map: ['expr', 'pred'],
  find: ['expr', 'pred'],
  findIndex: ['expr', 'pred'],
  findLast: ['expr', 'pred'],
  findLastIndex: ['expr', 'pred'],
  count: ['expr', 'opt-pred'],
  sum: ['expr', 'opt-pred'],
  groupBy: ['expr', 'pred'],
  sortBy: ['expr', 'opt-pred', 'opt-expr'],
  reduce: ['expr', 'pred', 'opt-expr'],
};

/** Parses expr source into a tree; every failure is a typed syntax error. */
export function parseExpr(src: string, isBuiltin: (name: string) => boolean): Node {
  if (src.length > LIMITS.sourceLength) {
    throw expressionError(`expression longer than ${LIMITS.sourceLength} characters`, 'limit');
  }
  return new Parser(tokenize(src), isBuiltin).parse();
}

class Parser {
  private i = 0;
  private depth = 0;
  private predicateDepth = 0;
  private nodes = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly isBuiltin: (name: string) => boolean,
  ) {}

  parse(): Node {
    if (this.cur.kind === TokenKind.EOF) throw this.error('unexpected token EOF', this.cur);
    const node = this.sequence();
    if (!this.is(TokenKind.EOF))
      throw this.error(`unexpected token ${describe(this.cur)}`, this.cur);
    return node;
  }

  private get cur(): Token {
    return this.tokens[this.i] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  private next(): Token {
    const t = this.cur;
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private is(kind: TokenKind, value?: string): boolean {
    return this.cur.kind === kind && (value === undefined || this.cur.value === value);
  }

  private expect(kind: TokenKind, value?: string): Token {
    if (!this.is(kind, value)) {
      throw this.error(`unexpected token ${describe(this.cur)}`, this.cur);
    }
    return this.next();
  }

  private error(msg: string, t: Token): Error {
    return expressionError(`${msg} (1:${t.pos + 1})`, 'syntax');
  }

  private node<N extends Node>(n: N): N {
    if (++this.nodes > LIMITS.nodes) {
      throw expressionError(
        `compilation failed: expression exceeds maximum allowed nodes`,
        'limit',
      );
    }
    return n;
  }

  private enter(): void {
    if (++this.depth > LIMITS.depth) {
      throw expressionError('expression nested too deeply', 'limit');
    }
  }

  private sequence(): Node {
    const nodes = [this.expression(0)];
    while (this.is(TokenKind.Operator, ';')) {
      this.next();
      if (this.is(TokenKind.EOF)) break;
      nodes.push(this.expression(0));
    }
    return nodes.length === 1 ? (nodes[0] as Node) : this.node({ k: 'seq', nodes });
  }

  private expression(precedence: number): Node {
    this.enter();
    try {
      return this.expressionInner(precedence);
    } finally {
      this.depth--;
    }
  }

  private expressionInner(precedence: number): Node {
    if (precedence === 0 && this.is(TokenKind.Operator, 'let')) return this.letDeclaration();
    if (precedence === 0 && this.is(TokenKind.Operator, 'if')) return this.ifElse();
    let left = this.primary();
    let prev = '';
    for (;;) {
      const t = this.cur;
      if (t.kind !== TokenKind.Operator) break;
      let op = t.value;
      let negate = false;
      if (op === 'not') {
        const after = this.tokens[this.i + 1];
        if (!after || after.kind !== TokenKind.Operator || !NEGATABLE.has(after.value)) {
          throw this.error(`unexpected token ${describe(after ?? t)}`, after ?? t);
        }
        if ((own(BINARY, after.value)?.prec ?? -1) < precedence) break;
        this.next();
        op = after.value;
        negate = true;
      }
      const info = own(BINARY, op);
      if (!info || info.prec < precedence) break;
      this.next();
      if (op === '|') {
        const name = this.expect(TokenKind.Identifier);
        left = this.call(name, [left]);
        prev = op;
        continue;
      }
      if (prev === '??' && op !== '??') {
        throw this.error(
          `Operator (${op}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`,
          t,
        );
      }
      if (COMPARISON.has(op)) {
        left = this.comparison(left, op, info.prec);
      } else {
        const right = this.expression(info.right ? info.prec : info.prec + 1);
        left = this.node({ k: 'binary', op, l: left, r: right });
        if (negate) left = this.node({ k: 'unary', op: 'not', x: left });
      }
      prev = op;
    }
    if (precedence === 0) left = this.conditional(left);
    return left;
  }

  /** `a < b < c` means `a < b && b < c`. */
  private comparison(left: Node, op: string, prec: number): Node {
    let root: Node | undefined;
    for (;;) {
      const right = this.expression(prec + 1);
      const cmp = this.node({ k: 'binary', op, l: left, r: right });
      root = root ? this.node({ k: 'binary', op: '&&', l: root, r: cmp }) : cmp;
      left = right;
      if (!(this.cur.kind === TokenKind.Operator && COMPARISON.has(this.cur.value))) break;
      op = this.next().value;
    }
    return root;
  }

  private letDeclaration(): Node {
    this.expect(TokenKind.Operator, 'let');
    const name = this.expect(TokenKind.Identifier).value;
    if (!this.is(TokenKind.Operator, '='))
      throw this.error(`unexpected token ${describe(this.cur)}`, this.cur);
    this.next();
    const value = this.expression(0);
    this.expect(TokenKind.Operator, ';');
    const body = this.sequence();
    return this.node({ k: 'let', name, value, body });
  }

  private ifElse(): Node {
    this.next();
    const c = this.expression(0);
    this.expect(TokenKind.Bracket, '{');
    const a = this.sequence();
    this.expect(TokenKind.Bracket, '}');
    this.expect(TokenKind.Operator, 'else');
    let b: Node;
    if (this.is(TokenKind.Operator, 'if')) b = this.ifElse();
    else {
      this.expect(TokenKind.Bracket, '{');
      b = this.sequence();
      this.expect(TokenKind.Bracket, '}');
    }
    return this.node({ k: 'cond', c, a, b });
  }

  private conditional(node: Node): Node {
    while (this.is(TokenKind.Operator, '?')) {
      this.next();
      let a: Node;
      let b: Node;
      if (!this.is(TokenKind.Operator, ':')) {
        a = this.expression(0);
        this.expect(TokenKind.Operator, ':');
        b = this.expression(0);
      } else {
        this.next();
        a = node;
        b = this.expression(0);
      }
      node = this.node({ k: 'cond', c: node, a, b });
    }
    return node;
  }

  private primary(): Node {
    const t = this.cur;
    if (t.kind === TokenKind.Operator && own(UNARY, t.value) !== undefined) {
      this.next();
      const x = this.expression(UNARY[t.value] as number);
      return this.postfix(this.node({ k: 'unary', op: t.value, x }));
    }
    if (this.is(TokenKind.Bracket, '(')) {
      this.next();
      this.enter();
      const x = this.sequence();
      this.depth--;
      this.expect(TokenKind.Bracket, ')');
      return this.postfix(x);
    }
    if (
      this.predicateDepth > 0 &&
      (this.is(TokenKind.Operator, '#') || this.is(TokenKind.Operator, '.'))
    ) {
      let name = '';
      if (this.is(TokenKind.Operator, '#')) {
        this.next();
        if (this.is(TokenKind.Identifier)) name = this.next().value;
        return this.postfix(this.node({ k: 'ptr', name }));
      }
      // `.field` is short for `#.field`: leave the dot for postfix().
      return this.postfix(this.node({ k: 'ptr', name }));
    }
    return this.secondary();
  }

  private secondary(): Node {
    const t = this.cur;
    switch (t.kind) {
      case TokenKind.Identifier: {
        this.next();
        if (t.value === 'true' || t.value === 'false')
          return this.node({ k: 'bool', v: t.value === 'true' });
        if (t.value === 'nil') return this.node({ k: 'nil' });
        if (this.is(TokenKind.Bracket, '(')) return this.postfix(this.call(t, []));
        return this.postfix(this.node({ k: 'ident', name: t.value }));
      }
      case TokenKind.Number:
        this.next();
        return this.postfix(this.number(t));
      case TokenKind.String:
        this.next();
        return this.postfix(this.node({ k: 'str', v: t.value }));
      default:
        if (this.is(TokenKind.Bracket, '[')) return this.postfix(this.array());
        if (this.is(TokenKind.Bracket, '{')) return this.postfix(this.map());
        throw this.error(`unexpected token ${describe(t)}`, t);
    }
  }

  private number(t: Token): Node {
    const text = t.value.replaceAll('_', '');
    const lower = text.toLowerCase();
    let v: number;
    let float = false;
    if (/^0[xob]/.test(lower)) {
      const digits = lower.slice(2);
      const radix = lower[1] === 'x' ? 16 : lower[1] === 'o' ? 8 : 2;
      v = digits === '' ? NaN : Number.parseInt(digits, radix);
    } else if (/[.e]/.test(lower)) {
      v = Number(text);
      float = true;
    } else {
      v = Number(text);
    }
    if (!Number.isFinite(v)) throw this.error(`invalid number literal ${t.value}`, t);
    if (!float && !Number.isSafeInteger(v)) throw this.error('integer literal is too large', t);
    return this.node({ k: 'num', v, float });
  }

  private call(name: Token, args: Node[]): Node {
    const shape = own(PREDICATES, name.value);
    if (shape) {
      this.expect(TokenKind.Bracket, '(');
      const rest = shape.slice(args.length);
      for (let j = 0; j < rest.length; j++) {
        const kind = rest[j] as string;
        const optional = kind.startsWith('opt-');
        if (this.is(TokenKind.Bracket, ')')) {
          if (optional) break;
          throw this.error(`expected at least ${rest.length} arguments`, this.cur);
        }
        if (j > 0) this.expect(TokenKind.Operator, ',');
        args.push(kind.endsWith('pred') ? this.predicate() : this.expression(0));
      }
      if (this.is(TokenKind.Operator, ',')) this.next();
      this.expect(TokenKind.Bracket, ')');
      return this.node({ k: 'builtin', name: name.value, args });
    }
    const all = this.arguments(args);
    if (this.isBuiltin(name.value)) return this.node({ k: 'builtin', name: name.value, args: all });
    return this.node({ k: 'call', callee: this.node({ k: 'ident', name: name.value }), args: all });
  }

  private arguments(args: Node[]): Node[] {
    const offset = args.length;
    this.expect(TokenKind.Bracket, '(');
    while (!this.is(TokenKind.Bracket, ')')) {
      if (args.length > offset) this.expect(TokenKind.Operator, ',');
      if (this.is(TokenKind.Bracket, ')')) break;
      args.push(this.expression(0));
    }
    this.expect(TokenKind.Bracket, ')');
    return args;
  }

  private predicate(): Node {
    const braces = this.is(TokenKind.Bracket, '{');
    if (braces) this.next();
    this.predicateDepth++;
    let body: Node;
    if (braces) body = this.sequence();
    else {
      body = this.expression(0);
      if (this.is(TokenKind.Operator, ';'))
        throw this.error('wrap predicate with brackets { and }', this.cur);
    }
    this.predicateDepth--;
    if (braces) this.expect(TokenKind.Bracket, '}');
    return this.node({ k: 'pred', body });
  }

  private array(): Node {
    this.expect(TokenKind.Bracket, '[');
    const items: Node[] = [];
    while (!this.is(TokenKind.Bracket, ']')) {
      if (items.length > 0) {
        this.expect(TokenKind.Operator, ',');
        if (this.is(TokenKind.Bracket, ']')) break;
      }
      items.push(this.expression(0));
    }
    this.expect(TokenKind.Bracket, ']');
    return this.node({ k: 'array', items });
  }

  private map(): Node {
    this.expect(TokenKind.Bracket, '{');
    const pairs: [Node, Node][] = [];
    while (!this.is(TokenKind.Bracket, '}')) {
      if (pairs.length > 0) {
        this.expect(TokenKind.Operator, ',');
        if (this.is(TokenKind.Bracket, '}')) break;
      }
      let key: Node;
      const t = this.cur;
      if (
        t.kind === TokenKind.Number ||
        t.kind === TokenKind.String ||
        t.kind === TokenKind.Identifier
      ) {
        this.next();
        key = this.node({ k: 'str', v: t.value });
      } else if (this.is(TokenKind.Bracket, '(')) {
        key = this.expression(0);
      } else {
        throw this.error(
          `a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token ${describe(t)})`,
          t,
        );
      }
      this.expect(TokenKind.Operator, ':');
      pairs.push([key, this.expression(0)]);
    }
    this.expect(TokenKind.Bracket, '}');
    return this.node({ k: 'map', pairs });
  }

  private postfix(node: Node): Node {
    for (;;) {
      const t = this.cur;
      if (t.kind === TokenKind.Operator && (t.value === '.' || t.value === '?.')) {
        const optional = t.value === '?.';
        this.next();
        if (optional && this.is(TokenKind.Bracket, '[')) {
          node = this.index(node, true);
          continue;
        }
        const p = this.next();
        if (
          p.kind !== TokenKind.Identifier &&
          !(p.kind === TokenKind.Operator && /^[A-Za-z_]\w*$/.test(p.value))
        ) {
          throw this.error('expected name', p);
        }
        const inChain = node.k === 'chain';
        const base = node.k === 'chain' ? node.x : node;
        let member: Node = this.node({
          k: 'member',
          obj: base,
          prop: { k: 'str', v: p.value },
          optional,
        });
        if (this.is(TokenKind.Bracket, '(')) {
          member = this.node({ k: 'call', callee: member, args: this.arguments([]) });
        }
        node = inChain || optional ? this.node({ k: 'chain', x: member }) : member;
        continue;
      }
      if (t.kind === TokenKind.Bracket && t.value === '[') {
        node = this.index(node, false);
        continue;
      }
      return node;
    }
  }

  private index(node: Node, optional: boolean): Node {
    this.expect(TokenKind.Bracket, '[');
    const inChain = node.k === 'chain';
    const base = node.k === 'chain' ? node.x : node;
    if (this.is(TokenKind.Operator, ':')) {
      this.next();
      const to = this.is(TokenKind.Bracket, ']') ? undefined : this.expression(0);
      this.expect(TokenKind.Bracket, ']');
      return this.node({ k: 'slice', obj: node, ...(to ? { to } : {}) });
    }
    const from = this.expression(0);
    if (this.is(TokenKind.Operator, ':')) {
      this.next();
      const to = this.is(TokenKind.Bracket, ']') ? undefined : this.expression(0);
      this.expect(TokenKind.Bracket, ']');
      return this.node({ k: 'slice', obj: node, from, ...(to ? { to } : {}) });
    }
    this.expect(TokenKind.Bracket, ']');
    const member: Node = this.node({ k: 'member', obj: base, prop: from, optional });
    return inChain || optional ? this.node({ k: 'chain', x: member }) : member;
  }
}

/** A table's own entry: a name like `constructor` never reaches Object.prototype. */
function own<V>(table: Record<string, V>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function describe(t: Token): string {
  if (t.kind === TokenKind.EOF) return 'EOF';
  return `${t.kind}("${t.value}")`;
}
