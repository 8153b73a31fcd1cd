import { FuncError, type GoFunc, type ParamType } from './exec.js';
import { htmlEscape, jsEscape, sprint, sprintf, sprintln, urlQueryEscape } from './format.js';
import { isTrue, kindOf, typeName, type GoMap, type GoValue } from './value.js';

/** Declares a template function: its parameter types, an optional variadic type, and its body. */
export function fn(
  params: ParamType[],
  body: (...args: GoValue[]) => GoValue,
  variadic?: ParamType,
): GoFunc {
  return variadic === undefined ? { params, fn: body } : { params, fn: body, variadic };
}

type Basic = 'bool' | 'int' | 'float' | 'string' | 'other';

function basicKind(v: GoValue): Basic {
  const k = kindOf(v);
  return k === 'bool' || k === 'int' || k === 'float' || k === 'string' ? k : 'other';
}

const incompatible = 'incompatible types for comparison';

function equal(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) {
    if (a !== undefined && a !== null && b !== undefined && b !== null)
      throw new FuncError(incompatible);
    return false;
  }
  if (ka === 'other') {
    const nilA = a === undefined || a === null;
    const nilB = b === undefined || b === null;
    if (nilA || nilB) return nilA === nilB;
    throw new FuncError(`non-comparable type ${typeName(a)}`);
  }
  return a === b;
}

function less(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'other' || ka === 'bool') throw new FuncError('invalid type for comparison');
  if (ka !== kb) throw new FuncError(incompatible);
  return (a as string | number | bigint) < (b as string | number | bigint);
}

function length(item: GoValue): GoValue {
  switch (kindOf(item)) {
    case 'string':
      return BigInt(Buffer.byteLength(item as string));
    case 'slice':
      return BigInt((item as GoValue[]).length);
    case 'map':
      return BigInt(Object.keys(item as GoMap).length);
    case 'invalid':
    case 'nil':
      throw new FuncError('len of nil pointer');
    default:
      throw new FuncError(`len of type ${typeName(item)}`);
  }
}

function indexArg(index: GoValue, cap: number): number {
  if (kindOf(index) !== 'int') {
    if (index === null || index === undefined)
      throw new FuncError('cannot index slice/array with nil');
    throw new FuncError(`cannot index slice/array with type ${typeName(index)}`);
  }
  const x = Number(index);
  if (x < 0 || x > cap) throw new FuncError(`index out of range: ${x}`);
  return x;
}

function index(item: GoValue, ...indexes: GoValue[]): GoValue {
  let v = item;
  for (const i of indexes) {
    switch (kindOf(v)) {
      case 'slice': {
        const list = v as GoValue[];
        const x = indexArg(i, list.length);
        if (x === list.length) throw new FuncError(`index out of range: ${x}`);
        v = list[x];
        break;
      }
      case 'string': {
        const bytes = Buffer.from(v as string);
        const x = indexArg(i, bytes.length);
        if (x === bytes.length) throw new FuncError(`index out of range: ${x}`);
        v = BigInt(bytes[x] ?? 0);
        break;
      }
      case 'map': {
        if (kindOf(i) !== 'string') {
          throw new FuncError(
            i === null || i === undefined
              ? 'value is nil; should be of type string'
              : `value has type ${typeName(i)}; should be string`,
          );
        }
        const m = v as GoMap;
        v = Object.hasOwn(m, i as string) ? m[i as string] : null;
        break;
      }
      case 'invalid':
        throw new FuncError('index of untyped nil');
      case 'nil':
        throw new FuncError('index of nil pointer');
      default:
        throw new FuncError(`can't index item of type ${typeName(v)}`);
    }
  }
  return v;
}

function slice(item: GoValue, ...indexes: GoValue[]): GoValue {
  const k = kindOf(item);
  if (k !== 'slice' && k !== 'string') {
    if (item === null || item === undefined) throw new FuncError('slice of untyped nil');
    throw new FuncError(`can't slice item of type ${typeName(item)}`);
  }
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  if (k === 'string' && indexes.length > 2) throw new FuncError('cannot 3-index slice a string');
  const len = k === 'string' ? Buffer.byteLength(item as string) : (item as GoValue[]).length;
  const idx = [0, len];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x, len);
  });
  const [from = 0, to = len] = idx;
  if (from > to) throw new FuncError(`invalid slice index: ${from} > ${to}`);
  if (k === 'string')
    return Buffer.from(item as string)
      .subarray(from, to)
      .toString();
  return (item as GoValue[]).slice(from, to);
}

/** text/template's predefined functions (`and` and `or` are evaluated lazily by the executor). */
export const builtins: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  [
    'eq',
    fn(
      ['any'],
      (a, ...rest) => {
        if (rest.length === 0) throw new FuncError('missing argument for comparison');
        return rest.some((b) => equal(a, b));
      },
      'any',
    ),
  ],
  ['ne', fn(['any', 'any'], (a, b) => !equal(a, b))],
  ['lt', fn(['any', 'any'], (a, b) => less(a, b))],
  ['le', fn(['any', 'any'], (a, b) => less(a, b) || equal(a, b))],
  ['gt', fn(['any', 'any'], (a, b) => !less(a, b) && !equal(a, b))],
  ['ge', fn(['any', 'any'], (a, b) => !less(a, b))],
  ['not', fn(['any'], (a) => !isTrue(a))],
  ['len', fn(['any'], length)],
  ['index', fn(['any'], index, 'any')],
  ['slice', fn(['any'], slice, 'any')],
  ['print', fn([], (...args) => sprint(args), 'any')],
  ['println', fn([], (...args) => sprintln(args), 'any')],
  ['printf', fn(['string'], (format, ...args) => sprintf(format as string, args), 'any')],
  ['html', fn([], (...args) => htmlEscape(args), 'any')],
  ['js', fn([], (...args) => jsEscape(args), 'any')],
  ['urlquery', fn([], (...args) => urlQueryEscape(args), 'any')],
]);
