import { fn } from './builtins.js';
import { FuncError, type GoFunc } from './exec.js';
import { kindOf, type GoValue } from './value.js';

/** spf13/cast's ToInt64 as sprig uses it: floats truncate, strings parse (`0x` and `0` prefixes too), failures are 0. */
export function toInt64(v: GoValue): bigint {
  switch (kindOf(v)) {
    case 'int':
      return v as bigint;
    case 'float':
      return Number.isFinite(v) ? BigInt(Math.trunc(v as number)) : 0n;
    case 'bool':
      return v ? 1n : 0n;
    case 'string': {
      const text = (v as string).replace(/\.0*$/, '');
      try {
        if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(text)) return BigInt(text.replace('+', ''));
        if (/^[+-]?0[0-7]+$/.test(text))
          return BigInt(parseInt(text, 8)) * (text.startsWith('-') ? -1n : 1n);
        if (/^[+-]?\d+$/.test(text)) return BigInt(text.replace('+', ''));
      } catch {
        return 0n;
      }
      return 0n;
    }
    default:
      return 0n;
  }
}

/** spf13/cast's ToFloat64: numbers as they are, strings parsed, failures 0. */
export function toFloat64(v: GoValue): number {
  switch (kindOf(v)) {
    case 'int':
      return Number(v as bigint);
    case 'float':
      return v as number;
    case 'bool':
      return v ? 1 : 0;
    case 'string': {
      const text = (v as string).trim();
      const parsed = Number(text);
      return text !== '' && !Number.isNaN(parsed) ? parsed : 0;
    }
    default:
      return 0;
  }
}

const divideByZero = 'runtime error: integer divide by zero';

/** Adds decimals as sprig does (through shopspring/decimal), so 0.1 + 0.2 is 0.3. */
function decimalSum(values: number[]): number {
  const scale = Math.max(
    0,
    ...values.map((v) => {
      const [, frac = ''] = String(v).split('.');
      return /e/.test(String(v)) ? 0 : frac.length;
    }),
  );
  if (scale > 15) return values.reduce((a, b) => a + b, 0);
  const factor = 10 ** scale;
  return values.reduce((a, b) => a + Math.round(b * factor), 0) / factor;
}

function round(a: GoValue, p: GoValue, ...opt: GoValue[]): number {
  const roundOn = opt.length > 0 ? toFloat64(opt[0]) : 0.5;
  const pow = 10 ** toFloat64(p);
  const digit = pow * toFloat64(a);
  const frac = digit - Math.trunc(digit);
  return (frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

/** sprig's math functions: integer ones return int64, the `f` ones float64. */
export const sprigMath: [string, GoFunc][] = [
  ['add1', fn(['any'], (a) => toInt64(a) + 1n)],
  ['add', fn([], (...vs) => vs.reduce<bigint>((sum, v) => sum + toInt64(v), 0n), 'any')],
  ['sub', fn(['any', 'any'], (a, b) => toInt64(a) - toInt64(b))],
  [
    'div',
    fn(['any', 'any'], (a, b) => {
      if (toInt64(b) === 0n) throw new FuncError(divideByZero);
      return toInt64(a) / toInt64(b);
    }),
  ],
  [
    'mod',
    fn(['any', 'any'], (a, b) => {
      if (toInt64(b) === 0n) throw new FuncError(divideByZero);
      return toInt64(a) % toInt64(b);
    }),
  ],
  [
    'mul',
    fn(['any'], (a, ...vs) => vs.reduce<bigint>((p, v) => p * toInt64(v), toInt64(a)), 'any'),
  ],
  [
    'max',
    fn(['any'], (a, ...vs) => vs.map(toInt64).reduce((m, v) => (v > m ? v : m), toInt64(a)), 'any'),
  ],
  [
    'biggest',
    fn(['any'], (a, ...vs) => vs.map(toInt64).reduce((m, v) => (v > m ? v : m), toInt64(a)), 'any'),
  ],
  [
    'min',
    fn(['any'], (a, ...vs) => vs.map(toInt64).reduce((m, v) => (v < m ? v : m), toInt64(a)), 'any'),
  ],
  ['add1f', fn(['any'], (a) => decimalSum([toFloat64(a), 1]))],
  ['addf', fn([], (...vs) => decimalSum(vs.map(toFloat64)), 'any')],
  [
    'subf',
    fn(['any'], (a, ...vs) => decimalSum([toFloat64(a), ...vs.map((v) => -toFloat64(v))]), 'any'),
  ],
  [
    'mulf',
    fn(['any'], (a, ...vs) => vs.reduce<number>((p, v) => p * toFloat64(v), toFloat64(a)), 'any'),
  ],
  [
    'divf',
    fn(['any'], (a, ...vs) => vs.reduce<number>((p, v) => p / toFloat64(v), toFloat64(a)), 'any'),
  ],
  ['maxf', fn(['any'], (a, ...vs) => Math.max(toFloat64(a), ...vs.map(toFloat64)), 'any')],
  ['minf', fn(['any'], (a, ...vs) => Math.min(toFloat64(a), ...vs.map(toFloat64)), 'any')],
  ['floor', fn(['any'], (a) => Math.floor(toFloat64(a)))],
  ['ceil', fn(['any'], (a) => Math.ceil(toFloat64(a)))],
  ['round', fn(['any', 'int'], round, 'float')],
  ['int', fn(['any'], (a) => toInt64(a))],
  ['int64', fn(['any'], (a) => toInt64(a))],
  ['float64', fn(['any'], (a) => toFloat64(a))],
  [
    'atoi',
    fn(['string'], (a) => {
      const text = (a as string).trim();
      return /^[+-]?\d+$/.test(text) ? BigInt(text.replace('+', '')) : 0n;
    }),
  ],
  [
    'until',
    fn(['int'], (c) => {
      const count = Number(c);
      const step = count < 0 ? -1 : 1;
      return untilStep(0, count, step);
    }),
  ],
  [
    'untilStep',
    fn(['int', 'int', 'int'], (a, b, st) => untilStep(Number(a), Number(b), Number(st))),
  ],
  [
    'seq',
    fn(
      [],
      (...params) => {
        const p = params.map(Number);
        const [a = 0, b = 0, c = 0] = p;
        if (p.length === 0) return '';
        if (p.length === 1) return untilStep(1, a + (a >= 1 ? 1 : -1), a >= 1 ? 1 : -1).join(' ');
        if (p.length === 2) return untilStep(a, b + (b >= a ? 1 : -1), b >= a ? 1 : -1).join(' ');
        if (p.length === 3) {
          if (b === 0 || (b > 0 && c < a) || (b < 0 && c > a)) return '';
          return untilStep(a, c + (b > 0 ? 1 : -1), b).join(' ');
        }
        return '';
      },
      'int',
    ),
  ],
  [
    'randInt',
    fn(
      ['int', 'int'],
      (a, b) =>
        BigInt(Math.floor(Math.random() * Number((b as bigint) - (a as bigint)))) + (a as bigint),
    ),
  ],
];

function untilStep(start: number, stop: number, step: number): bigint[] {
  const out: bigint[] = [];
  if (step === 0 || (step > 0 && start >= stop) || (step < 0 && start <= stop)) return out;
  if (Math.abs((stop - start) / step) > 100_000) throw new FuncError('sequence is too long');
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(BigInt(i));
  return out;
}
