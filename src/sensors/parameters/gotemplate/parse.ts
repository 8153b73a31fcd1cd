import { syntaxError } from './errors.js';

/** An argument or the first word of a command. */
export type Operand =
  | { kind: 'field'; chain: string[]; pos: number }
  | { kind: 'variable'; name: string; chain: string[]; pos: number }
  | { kind: 'dot'; pos: number }
  | { kind: 'identifier'; name: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; text: string; isFloat: boolean; value: number; pos: number }
  | { kind: 'bool'; value: boolean; pos: number }
  | { kind: 'nil'; pos: number }
  | { kind: 'pipe'; pipe: Pipe; chain: string[]; pos: number };

export interface Command {
  args: Operand[];
  pos: number;
}

export interface Pipe {
  /** Variables declared (`:=`) or assigned (`=`). */
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
  pos: number;
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipe; pos: number }
  | { kind: 'if' | 'with'; pipe: Pipe; list: Node[]; elseList?: Node[]; pos: number }
  | { kind: 'range'; pipe: Pipe; list: Node[]; elseList?: Node[]; pos: number }
  | { kind: 'template'; name: string; pipe?: Pipe; pos: number }
  | { kind: 'break' | 'continue'; pos: number };

/** A parsed template: its main body and the templates it defines. */
export interface ParsedTemplate {
  name: string;
  source: string;
  root: Node[];
  defines: Map<string, Node[]>;
}

type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'leftParen'
  | 'rightParen'
  | 'pipe'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'variable'
  | 'field'
  | 'dot'
  | 'identifier'
  | 'bool'
  | 'nil'
  | 'keyword'
  | 'comment'
  | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

const keywords = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
]);

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isAlnum(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

/** Splits a template into tokens as Go's text/template lexer does, trimming around `{{-` and `-}}`. */
function lex(name: string, src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (pos: number, msg: string): never => {
    throw syntaxError(name, src, pos, msg);
  };
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    const textEnd = open === -1 ? src.length : open;
    let text = src.slice(i, textEnd);
    const trimLeft = open !== -1 && src[open + 2] === '-' && isSpace(src[open + 3]);
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) tokens.push({ kind: 'text', text, pos: i });
    if (open === -1) break;
    let p = open + 2 + (trimLeft ? 2 : 0);
    // A comment is an action of its own: `{{/* ... */}}`.
    while (isSpace(src[p]) && trimLeft) p++;
    if (src.startsWith('/*', p)) {
      const close = src.indexOf('*/', p + 2);
      if (close === -1) fail(p, 'unclosed comment');
      let q = close + 2;
      let trimRight = false;
      if (src.startsWith(' -}}', q)) {
        trimRight = true;
        q += 4;
      } else if (src.startsWith('}}', q)) {
        q += 2;
      } else {
        fail(q, 'comment ends before closing delimiter');
      }
      i = trimRight ? skipSpace(src, q) : q;
      continue;
    }
    tokens.push({ kind: 'leftDelim', text: '{{', pos: open });
    let trimRight = false;
    for (;;) {
      const ch = src[p];
      if (ch === undefined) fail(p, 'unclosed action');
      if (isSpace(ch)) {
        const start = p;
        while (isSpace(src[p])) p++;
        if (src.startsWith('-}}', p)) {
          trimRight = true;
          p += 3;
          tokens.push({ kind: 'rightDelim', text: '}}', pos: p - 3 });
          break;
        }
        tokens.push({ kind: 'space', text: src.slice(start, p), pos: start });
        continue;
      }
      if (src.startsWith('}}', p)) {
        tokens.push({ kind: 'rightDelim', text: '}}', pos: p });
        p += 2;
        break;
      }
      const start = p;
      if (ch === '(') {
        tokens.push({ kind: 'leftParen', text: ch, pos: p++ });
      } else if (ch === ')') {
        tokens.push({ kind: 'rightParen', text: ch, pos: p++ });
      } else if (ch === '|') {
        tokens.push({ kind: 'pipe', text: ch, pos: p++ });
      } else if (ch === ',') {
        tokens.push({ kind: 'comma', text: ch, pos: p++ });
      } else if (ch === ':' && src[p + 1] === '=') {
        tokens.push({ kind: 'declare', text: ':=', pos: p });
        p += 2;
      } else if (ch === '=') {
        tokens.push({ kind: 'assign', text: '=', pos: p++ });
      } else if (ch === '"') {
        p++;
        while (src[p] !== '"') {
          if (src[p] === undefined || src[p] === '\n') fail(start, 'unterminated quoted string');
          if (src[p] === '\\') p++;
          p++;
        }
        p++;
        tokens.push({ kind: 'string', text: src.slice(start, p), pos: start });
      } else if (ch === '`') {
        const close = src.indexOf('`', p + 1);
        if (close === -1) fail(start, 'unterminated raw quoted string');
        p = close + 1;
        tokens.push({ kind: 'rawString', text: src.slice(start, p), pos: start });
      } else if (ch === "'") {
        p++;
        while (src[p] !== "'") {
          if (src[p] === undefined || src[p] === '\n')
            fail(start, 'unterminated character constant');
          if (src[p] === '\\') p++;
          p++;
        }
        p++;
        tokens.push({ kind: 'char', text: src.slice(start, p), pos: start });
      } else if (ch === '$') {
        p++;
        while (isAlnum(src[p])) p++;
        tokens.push({ kind: 'variable', text: src.slice(start, p), pos: start });
      } else if (ch === '.' && !/[0-9]/.test(src[p + 1] ?? '')) {
        p++;
        while (isAlnum(src[p])) p++;
        tokens.push({
          kind: p === start + 1 ? 'dot' : 'field',
          text: src.slice(start, p),
          pos: start,
        });
      } else if (/[0-9+\-.]/.test(ch as string)) {
        const m =
          /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(
            src.slice(p),
          );
        const text = m?.[0] ?? '';
        if (!text || text === '+' || text === '-' || text === '.') fail(p, `bad number syntax`);
        p += text.length;
        if (isAlnum(src[p])) fail(start, `bad number syntax: "${text}${src[p] ?? ''}"`);
        tokens.push({ kind: 'number', text, pos: start });
      } else if (isAlnum(ch)) {
        while (isAlnum(src[p])) p++;
        const word = src.slice(start, p);
        const kind: TokenKind = keywords.has(word)
          ? 'keyword'
          : word === 'true' || word === 'false'
            ? 'bool'
            : word === 'nil'
              ? 'nil'
              : 'identifier';
        tokens.push({ kind, text: word, pos: start });
      } else {
        fail(p, `unexpected "${ch}" in command`);
      }
    }
    i = trimRight ? skipSpace(src, p) : p;
    if (i >= src.length) break;
  }
  tokens.push({ kind: 'eof', text: '', pos: src.length });
  return tokens;
}

function skipSpace(src: string, i: number): number {
  while (isSpace(src[i])) i++;
  return i;
}

function unquote(token: Token): string {
  if (token.kind === 'rawString') return token.text.slice(1, -1).replace(/\r/g, '');
  const body = token.text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i] ?? '';
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (next in simple) {
      out += simple[next];
    } else if (next === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (next === 'u') {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (next === 'U') {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 9), 16));
      i += 8;
    } else if (/[0-7]/.test(next)) {
      out += String.fromCharCode(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else {
      throw new Error(`invalid syntax: unknown escape \\${next}`);
    }
  }
  return out;
}

/** Parses a template in Go's text/template syntax. Throws TemplateError on a syntax error. */
export function parseTemplate(name: string, src: string): ParsedTemplate {
  const tokens = lex(name, src);
  let at = 0;
  const defines = new Map<string, Node[]>();
  const fail = (pos: number, msg: string): never => {
    throw syntaxError(name, src, pos, msg);
  };
  const peek = (): Token => tokens[at] as Token;
  const next = (): Token => tokens[at++] as Token;
  const peekNonSpace = (): Token => {
    let j = at;
    while (tokens[j]?.kind === 'space') j++;
    return tokens[j] as Token;
  };
  const nextNonSpace = (): Token => {
    while (peek().kind === 'space') at++;
    return next();
  };
  const expect = (kind: TokenKind, context: string): Token => {
    const t = nextNonSpace();
    if (t.kind !== kind) fail(t.pos, `unexpected ${describe(t)} in ${context}`);
    return t;
  };
  const describe = (t: Token): string =>
    t.kind === 'eof' ? 'EOF' : t.kind === 'rightDelim' ? '"}}"' : `"${t.text}"`;

  let rangeDepth = 0;

  /** Parses nodes until `{{end}}`, `{{else}}` or EOF; returns the stop keyword. */
  function list(): { nodes: Node[]; stop: 'end' | 'else' | 'eof'; elseTok?: Token } {
    const nodes: Node[] = [];
    for (;;) {
      const t = next();
      if (t.kind === 'eof') return { nodes, stop: 'eof' };
      if (t.kind === 'text') {
        nodes.push({ kind: 'text', text: t.text });
        continue;
      }
      if (t.kind !== 'leftDelim') fail(t.pos, `unexpected ${describe(t)}`);
      const word = peekNonSpace();
      if (word.kind === 'keyword') {
        nextNonSpace();
        switch (word.text) {
          case 'end':
            expect('rightDelim', 'end');
            return { nodes, stop: 'end' };
          case 'else':
            return { nodes, stop: 'else', elseTok: word };
          case 'if':
          case 'with':
          case 'range':
            nodes.push(control(word.text, word.pos));
            continue;
          case 'break':
          case 'continue':
            if (rangeDepth === 0) fail(word.pos, `{{${word.text}}} outside {{range}}`);
            expect('rightDelim', word.text);
            nodes.push({ kind: word.text, pos: word.pos });
            continue;
          case 'template': {
            const nameTok = nextNonSpace();
            if (nameTok.kind !== 'string' && nameTok.kind !== 'rawString')
              fail(nameTok.pos, `unexpected ${describe(nameTok)} in template clause`);
            const following = peekNonSpace();
            if (following.kind === 'rightDelim') {
              nextNonSpace();
              nodes.push({ kind: 'template', name: unquote(nameTok), pos: word.pos });
            } else {
              const pipe = pipeline('template', false);
              nodes.push({ kind: 'template', name: unquote(nameTok), pipe, pos: word.pos });
            }
            continue;
          }
          case 'define':
          case 'block': {
            const nameTok = nextNonSpace();
            if (nameTok.kind !== 'string' && nameTok.kind !== 'rawString')
              fail(nameTok.pos, `unexpected ${describe(nameTok)} in ${word.text} clause`);
            let pipe: Pipe | undefined;
            if (word.text === 'block') pipe = pipeline('block', false);
            else expect('rightDelim', 'define clause');
            const body = list();
            if (body.stop !== 'end') fail(word.pos, `unexpected ${body.stop} in ${word.text}`);
            defines.set(unquote(nameTok), body.nodes);
            if (word.text === 'block')
              nodes.push({
                kind: 'template',
                name: unquote(nameTok),
                ...(pipe ? { pipe } : {}),
                pos: word.pos,
              });
            continue;
          }
        }
      }
      const pipe = pipeline('command', true);
      nodes.push({ kind: 'action', pipe, pos: t.pos });
    }
  }

  function control(keyword: string, pos: number): Node {
    const pipe = pipeline(keyword, true, keyword === 'range');
    if (keyword === 'range') rangeDepth++;
    const body = list();
    if (keyword === 'range') rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.stop === 'eof') fail(pos, `unexpected EOF`);
    if (body.stop === 'else') {
      const following = peekNonSpace();
      // `{{else if ...}}` and `{{else with ...}}` nest a control node in the else branch.
      if (following.kind === 'keyword' && (following.text === 'if' || following.text === 'with')) {
        if (following.text !== keyword && keyword !== 'if')
          fail(following.pos, `unexpected "${following.text}" after else`);
        nextNonSpace();
        elseList = [control(following.text, following.pos)];
        return { kind: keyword as 'if', pipe, list: body.nodes, elseList, pos };
      }
      expect('rightDelim', 'else');
      const rest = list();
      if (rest.stop !== 'end') fail(pos, `expected end; found ${rest.stop}`);
      elseList = rest.nodes;
    }
    return {
      kind: keyword as 'if',
      pipe,
      list: body.nodes,
      ...(elseList ? { elseList } : {}),
      pos,
    };
  }

  /** Parses a pipeline up to `}}` (or `)` when nested). */
  function pipeline(context: string, allowDecl: boolean, isRange = false, nested = false): Pipe {
    const start = peekNonSpace();
    const decl: string[] = [];
    let isAssign = false;
    if (allowDecl && start.kind === 'variable') {
      // Look ahead for `$x :=`, `$x =` or `$i, $v :=`.
      const save = at;
      nextNonSpace();
      const after = peekNonSpace();
      if (after.kind === 'declare' || after.kind === 'assign') {
        nextNonSpace();
        decl.push(start.text);
        isAssign = after.kind === 'assign';
      } else if (after.kind === 'comma' && isRange) {
        nextNonSpace();
        const second = nextNonSpace();
        if (second.kind !== 'variable') fail(second.pos, 'range can only initialize variables');
        const op = nextNonSpace();
        if (op.kind !== 'declare' && op.kind !== 'assign')
          fail(op.pos, `unexpected ${describe(op)} in range`);
        decl.push(start.text, second.text);
        isAssign = op.kind === 'assign';
      } else {
        at = save;
      }
    }
    const cmds: Command[] = [];
    for (;;) {
      const t = peekNonSpace();
      if ((!nested && t.kind === 'rightDelim') || (nested && t.kind === 'rightParen')) {
        nextNonSpace();
        break;
      }
      if (t.kind === 'eof') fail(t.pos, `unclosed action`);
      cmds.push(command(context, nested));
      const after = peekNonSpace();
      if (after.kind === 'pipe') nextNonSpace();
    }
    if (cmds.length === 0) fail(start.pos, `missing value for ${context}`);
    for (const [i, cmd] of cmds.entries()) {
      const first = cmd.args[0];
      if (i > 0 && first && !['identifier', 'field', 'variable', 'pipe'].includes(first.kind))
        fail(first.pos, `non executable command in pipeline stage ${i + 1}`);
    }
    return { decl, isAssign, cmds, pos: start.pos };
  }

  function command(context: string, nested: boolean): Command {
    const args: Operand[] = [];
    const pos = peekNonSpace().pos;
    for (;;) {
      while (peek().kind === 'space') at++;
      const t = peek();
      if (
        t.kind === 'rightDelim' ||
        t.kind === 'rightParen' ||
        t.kind === 'pipe' ||
        t.kind === 'eof'
      ) {
        if (t.kind === 'rightParen' && !nested) fail(t.pos, 'unexpected right paren');
        if (t.kind === 'rightDelim' && nested) fail(t.pos, 'unclosed left paren');
        break;
      }
      args.push(operand(context));
      const after = peek();
      if (
        after.kind !== 'space' &&
        after.kind !== 'rightDelim' &&
        after.kind !== 'rightParen' &&
        after.kind !== 'pipe'
      ) {
        fail(after.pos, `unexpected ${describe(after)} in operand`);
      }
    }
    if (args.length === 0) fail(pos, `empty command`);
    return { args, pos };
  }

  function chain(): string[] {
    const fields: string[] = [];
    while (peek().kind === 'field') fields.push(next().text.slice(1));
    return fields;
  }

  function operand(context: string): Operand {
    const t = next();
    switch (t.kind) {
      case 'field':
        return { kind: 'field', chain: [t.text.slice(1), ...chain()], pos: t.pos };
      case 'variable':
        return { kind: 'variable', name: t.text, chain: chain(), pos: t.pos };
      case 'dot':
        if (peek().kind === 'field') fail(t.pos, `unexpected . after term "."`);
        return { kind: 'dot', pos: t.pos };
      case 'identifier':
        return { kind: 'identifier', name: t.text, pos: t.pos };
      case 'string':
      case 'rawString':
        try {
          return { kind: 'string', value: unquote(t), pos: t.pos };
        } catch (err) {
          return fail(t.pos, (err as Error).message);
        }
      case 'char': {
        const value = unquote({ ...t, kind: 'string' }).codePointAt(0) ?? 0;
        return { kind: 'number', text: t.text, isFloat: false, value, pos: t.pos };
      }
      case 'number': {
        const clean = t.text.replace(/_/g, '');
        const isFloat = !/^[+-]?0[xXbBoO]/.test(clean) && /[.eE]/.test(clean);
        const value = isFloat ? Number(clean) : Number(BigInt(clean.replace(/^\+/, '')));
        if (Number.isNaN(value)) fail(t.pos, `bad number syntax: "${t.text}"`);
        return { kind: 'number', text: t.text, isFloat, value, pos: t.pos };
      }
      case 'bool':
        return { kind: 'bool', value: t.text === 'true', pos: t.pos };
      case 'nil':
        return { kind: 'nil', pos: t.pos };
      case 'leftParen': {
        const pipe = pipeline(context, false, false, true);
        return { kind: 'pipe', pipe, chain: chain(), pos: t.pos };
      }
      default:
        return fail(t.pos, `unexpected ${describe(t)} in ${context}`);
    }
  }

  const body = list();
  if (body.stop === 'end') fail(src.length, 'unexpected {{end}}');
  if (body.stop === 'else') fail(body.elseTok?.pos ?? 0, 'unexpected {{else}}');
  return { name, source: src, root: body.nodes, defines };
}
