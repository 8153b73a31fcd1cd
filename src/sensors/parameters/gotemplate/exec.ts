import { execError } from './errors.js';
import type { Command, Node, Operand, ParsedTemplate, Pipe } from './parse.js';
import {
  formatValue,
  isTrue,
  kindOf,
  sortedKeys,
  typeName,
  type GoMap,
  type GoValue,
} from './value.js';

/** The Go type a function parameter has; `any` is `interface{}`. */
export type ParamType = 'any' | 'string' | 'int' | 'float' | 'bool' | 'slice' | 'map';

/** A function a template can call, with its parameter types (Go converts and checks arguments by them). */
export interface GoFunc {
  params: ParamType[];
  /** The type of the trailing variadic parameter, when there is one. */
  variadic?: ParamType;
  fn: (...args: GoValue[]) => GoValue;
}

export type FuncMap = ReadonlyMap<string, GoFunc>;

/** Thrown by a function to fail the template with Go's `error calling NAME: ...`. */
export class FuncError extends Error {}

const goType: Record<ParamType, string> = {
  any: 'interface {}',
  string: 'string',
  int: 'int',
  float: 'float64',
  bool: 'bool',
  slice: '[]interface {}',
  map: 'map[string]interface {}',
};

class Failure extends Error {
  constructor(
    readonly pos: number,
    message: string,
  ) {
    super(message);
  }
}

class Break {}
class Continue {}

const missing = Symbol('missing');
type Final = GoValue | typeof missing;

interface Variable {
  name: string;
  value: GoValue;
}

const maxDepth = 100_000;

/** Executes a parsed template against data; throws InputError as Go's text/template would fail. */
export function execute(tmpl: ParsedTemplate, data: GoValue, funcs: FuncMap): string {
  let out = '';
  let depth = 0;
  const vars: Variable[] = [{ name: '$', value: data }];

  const fail = (pos: number, message: string): never => {
    throw new Failure(pos, message);
  };

  function lookup(name: string, pos: number): Variable {
    for (let i = vars.length - 1; i >= 0; i--) {
      const v = vars[i] as Variable;
      if (v.name === name) return v;
    }
    return fail(pos, `undefined variable: ${name}`);
  }

  function walk(dot: GoValue, nodes: readonly Node[]): void {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out += node.text;
          break;
        case 'action': {
          const value = pipeline(dot, node.pipe);
          if (node.pipe.decl.length === 0) out += printable(value);
          break;
        }
        case 'if':
        case 'with': {
          const mark = vars.length;
          const value = pipeline(dot, node.pipe);
          if (isTrue(value)) walk(node.kind === 'with' ? value : dot, node.list);
          else if (node.elseList) walk(dot, node.elseList);
          vars.length = mark;
          break;
        }
        case 'range':
          range(dot, node);
          break;
        case 'break':
          throw new Break();
        case 'continue':
          throw new Continue();
        case 'template': {
          const body = tmpl.defines.get(node.name);
          if (body === undefined) fail(node.pos, `no such template "${node.name}"`);
          if (++depth > 1000) fail(node.pos, 'exceeded maximum template depth (1000)');
          const value = node.pipe ? pipeline(dot, node.pipe) : null;
          const saved = vars.splice(0);
          vars.push({ name: '$', value });
          walk(value, body as Node[]);
          vars.splice(0, vars.length, ...saved);
          depth--;
          break;
        }
      }
      if (out.length > 10 * 1024 * 1024) fail(0, 'template output exceeds 10 MiB');
    }
  }

  function range(dot: GoValue, node: Extract<Node, { kind: 'range' }>): void {
    const mark = vars.length;
    const value = pipeline(dot, { ...node.pipe, decl: [] });
    const { decl } = node.pipe;
    let entries: [GoValue, GoValue][];
    switch (kindOf(value)) {
      case 'invalid':
      case 'nil':
        entries = [];
        break;
      case 'slice':
        entries = (value as GoValue[]).map((v, i) => [BigInt(i), v]);
        break;
      case 'map': {
        const m = value as GoMap;
        entries = sortedKeys(m).map((k) => [k, m[k]]);
        break;
      }
      case 'int': {
        const n = Number(value as bigint);
        if (n > maxDepth) fail(node.pos, `range over ${n} is too long`);
        if (decl.length > 1)
          fail(node.pos, `can't use ${n} to iterate over more than one variable`);
        entries = Array.from({ length: Math.max(0, n) }, (_, i) => [BigInt(i), BigInt(i)]);
        break;
      }
      default:
        return fail(node.pos, `range can't iterate over ${formatValue(value)}`);
    }
    if (entries.length === 0) {
      if (node.elseList) walk(dot, node.elseList);
      vars.length = mark;
      return;
    }
    for (const [key, elem] of entries) {
      if (decl.length === 1) vars.push({ name: decl[0] as string, value: elem });
      if (decl.length === 2) {
        vars.push({ name: decl[0] as string, value: key });
        vars.push({ name: decl[1] as string, value: elem });
      }
      try {
        walk(elem, node.list);
      } catch (signal) {
        if (signal instanceof Break) break;
        if (!(signal instanceof Continue)) throw signal;
      } finally {
        vars.length = mark;
      }
    }
    vars.length = mark;
  }

  function pipeline(dot: GoValue, pipe: Pipe): GoValue {
    let value: Final = missing;
    for (const cmd of pipe.cmds) {
      value = command(dot, cmd, value);
      // A nil interface{} becomes Go's invalid value between stages (printed `<no value>`).
      if (value === null) value = undefined;
    }
    const result = value === missing ? undefined : value;
    if (pipe.decl.length > 0 && !isRangeDecl(pipe)) {
      const name = pipe.decl[0] as string;
      if (pipe.isAssign) lookup(name, pipe.pos).value = result;
      else vars.push({ name, value: result });
    }
    return result;
  }

  function isRangeDecl(pipe: Pipe): boolean {
    return pipe.decl.length === 2;
  }

  function notAFunction(cmd: Command, final: Final): void {
    if (cmd.args.length > 1 || final !== missing)
      fail(cmd.pos, `can't give argument to non-function ${operandText(cmd.args[0])}`);
  }

  function command(dot: GoValue, cmd: Command, final: Final): GoValue {
    const first = cmd.args[0] as Operand;
    switch (first.kind) {
      case 'identifier':
        return call(dot, first.name, cmd.args.slice(1), final, first.pos);
      case 'field':
        return fieldChain(dot, first.chain, cmd.args.length > 1 || final !== missing, first.pos);
      case 'variable': {
        const value = lookup(first.name, first.pos).value;
        if (first.chain.length === 0) {
          notAFunction(cmd, final);
          return value;
        }
        return fieldChain(value, first.chain, cmd.args.length > 1 || final !== missing, first.pos);
      }
      case 'pipe': {
        notAFunction(cmd, final);
        const value = pipeline(dot, first.pipe);
        return first.chain.length ? fieldChain(value, first.chain, false, first.pos) : value;
      }
      case 'nil':
        return fail(first.pos, 'nil is not a command');
      case 'dot':
        notAFunction(cmd, final);
        return dot;
      default:
        notAFunction(cmd, final);
        return constant(first, 'any');
    }
  }

  function fieldChain(receiver: GoValue, chain: readonly string[], hasArgs: boolean, pos: number) {
    let value = receiver;
    for (const [i, name] of chain.entries()) {
      const last = i === chain.length - 1;
      value = field(value, name, hasArgs && last, pos);
    }
    return value;
  }

  function field(receiver: GoValue, name: string, hasArgs: boolean, pos: number): GoValue {
    switch (kindOf(receiver)) {
      case 'invalid':
        return undefined;
      case 'nil':
        return fail(pos, `nil pointer evaluating interface {}.${name}`);
      case 'map': {
        if (hasArgs) fail(pos, `${name} is not a method but has arguments`);
        const m = receiver as GoMap;
        return Object.hasOwn(m, name) ? m[name] : undefined;
      }
      default:
        return fail(pos, `can't evaluate field ${name} in type ${typeName(receiver)}`);
    }
  }

  function call(dot: GoValue, name: string, args: Operand[], final: Final, pos: number): GoValue {
    if (name === 'and' || name === 'or') return shortCircuit(dot, name, args, final, pos);
    const fn = funcs.get(name);
    if (fn === undefined) return fail(pos, `function "${name}" not defined`);
    const total = args.length + (final === missing ? 0 : 1);
    const fixed = fn.params.length;
    if (fn.variadic === undefined ? total !== fixed : total < fixed) {
      fail(
        pos,
        `wrong number of args for ${name}: want ${fn.variadic === undefined ? '' : 'at least '}${fixed} got ${total}`,
      );
    }
    const values: GoValue[] = args.map((arg, i) =>
      argument(dot, arg, fn.params[i] ?? fn.variadic ?? 'any'),
    );
    if (final !== missing)
      values.push(convert(final, fn.params[args.length] ?? fn.variadic ?? 'any', pos));
    try {
      return fn.fn(...values);
    } catch (err) {
      if (err instanceof FuncError) return fail(pos, `error calling ${name}: ${err.message}`);
      if (err instanceof Failure) throw err;
      if (err instanceof RangeError || err instanceof TypeError || err instanceof SyntaxError)
        return fail(pos, `error calling ${name}: ${err.message}`);
      throw err;
    }
  }

  function shortCircuit(
    dot: GoValue,
    name: 'and' | 'or',
    args: Operand[],
    final: Final,
    pos: number,
  ): GoValue {
    const total = args.length + (final === missing ? 0 : 1);
    if (total < 1) fail(pos, `wrong number of args for ${name}: want at least 1 got 0`);
    let value: GoValue = undefined;
    for (const arg of args) {
      value = argument(dot, arg, 'any');
      if (isTrue(value) === (name === 'or')) return value;
    }
    if (final !== missing) value = final ?? null;
    return value;
  }

  function argument(dot: GoValue, arg: Operand, type: ParamType): GoValue {
    switch (arg.kind) {
      case 'dot':
        return convert(dot, type, arg.pos);
      case 'nil':
        if (type === 'any' || type === 'slice' || type === 'map') return null;
        return fail(arg.pos, `cannot assign nil to ${goType[type]}`);
      case 'field':
        return convert(fieldChain(dot, arg.chain, false, arg.pos), type, arg.pos);
      case 'variable': {
        const value = lookup(arg.name, arg.pos).value;
        return convert(fieldChain(value, arg.chain, false, arg.pos), type, arg.pos);
      }
      case 'pipe': {
        const value = pipeline(dot, arg.pipe);
        return convert(
          arg.chain.length ? fieldChain(value, arg.chain, false, arg.pos) : value,
          type,
          arg.pos,
        );
      }
      case 'identifier':
        return convert(call(dot, arg.name, [], missing, arg.pos), type, arg.pos);
      default:
        return constant(arg, type);
    }
  }

  function constant(arg: Operand, type: ParamType): GoValue {
    switch (arg.kind) {
      case 'string':
        if (type === 'any' || type === 'string') return arg.value;
        return fail(arg.pos, `expected ${goType[type]}; found ${JSON.stringify(arg.value)}`);
      case 'bool':
        if (type === 'any' || type === 'bool') return arg.value;
        return fail(arg.pos, `expected ${goType[type]}; found ${String(arg.value)}`);
      case 'number': {
        const integral = Number.isInteger(arg.value);
        if (type === 'float') return arg.value;
        if (type === 'int') {
          if (!integral) fail(arg.pos, `expected integer; found ${arg.text}`);
          return BigInt(arg.value);
        }
        if (type === 'any') return arg.isFloat ? arg.value : BigInt(arg.value);
        return fail(arg.pos, `expected ${goType[type]}; found ${arg.text}`);
      }
      default:
        return fail(arg.pos, `can't handle ${operandText(arg)} as a constant`);
    }
  }

  function convert(value: GoValue, type: ParamType, pos: number): GoValue {
    if (value === undefined) {
      if (type === 'any' || type === 'slice' || type === 'map') return null;
      return fail(pos, `invalid value; expected ${goType[type]}`);
    }
    if (type === 'any') return value;
    const kind = kindOf(value);
    const wanted: Record<Exclude<ParamType, 'any'>, string> = {
      string: 'string',
      int: 'int',
      float: 'float',
      bool: 'bool',
      slice: 'slice',
      map: 'map',
    };
    if (kind === wanted[type]) return value;
    if (kind === 'nil' && (type === 'slice' || type === 'map')) return null;
    const got = kind === 'nil' ? 'interface {}' : typeName(value);
    return fail(pos, `wrong type for value; expected ${goType[type]}; got ${got}`);
  }

  function printable(value: GoValue): string {
    return value === undefined ? '<no value>' : formatValue(value);
  }

  try {
    walk(data, tmpl.root);
  } catch (err) {
    if (err instanceof Failure) {
      throw execError(tmpl.name, tmpl.source, err.pos, snippet(tmpl.source, err.pos), err.message);
    }
    if (err instanceof RangeError) {
      throw execError(tmpl.name, tmpl.source, 0, '', `template too deep: ${err.message}`);
    }
    throw err;
  }
  return out;
}

function operandText(op: Operand | undefined): string {
  if (op === undefined) return '';
  switch (op.kind) {
    case 'field':
      return `.${op.chain.join('.')}`;
    case 'variable':
      return op.name + op.chain.map((f) => `.${f}`).join('');
    case 'dot':
      return '.';
    case 'identifier':
      return op.name;
    case 'string':
      return JSON.stringify(op.value);
    case 'number':
      return op.text;
    case 'bool':
      return String(op.value);
    case 'nil':
      return 'nil';
    case 'pipe':
      return '(...)';
  }
}

/** The text of the action around a position, for error messages. */
function snippet(src: string, pos: number): string {
  const end = src.indexOf('}}', pos);
  return src
    .slice(pos, end === -1 ? undefined : end)
    .trim()
    .replace(/\s*-$/, '');
}
