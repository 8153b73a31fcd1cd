import { describe, expect, it } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import {
  allowNone,
  compileGovaluate,
  createExpressionLanguage,
  evaluateWhen,
  substituteString,
} from './index.js';

/** A small deterministic generator, so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ATOMS = [
  '1',
  '0',
  '-3',
  '2.5',
  '0x1F',
  "'s'",
  '"q"',
  '`raw`',
  'true',
  'nil',
  'x',
  'xs',
  'm',
  'inputs.parameters.p',
  "m['k']",
  'xs[0]',
  'xs[-1]',
  '#',
  '.k',
  '__proto__',
  'constructor',
  'm.constructor',
  'm.__proto__',
  'prototype',
  'sprig',
  '$env',
];
const BINARY = [
  '+',
  '-',
  '*',
  '/',
  '%',
  '**',
  '^',
  '==',
  '!=',
  '<',
  '>=',
  '&&',
  '||',
  'and',
  'or',
  'in',
  'not in',
  'matches',
  'contains',
  'startsWith',
  'endsWith',
  '??',
  '..',
  '|',
];
const CALLS = [
  'len',
  'filter',
  'map',
  'all',
  'any',
  'count',
  'string',
  'int',
  'float',
  'upper',
  'split',
  'join',
  'toJSON',
  'fromJSON',
  'keys',
  'repeat',
  'asInt',
  'toJson',
  'jsonpath',
  'sprig.trim',
  'sprig.dict',
  'sprig.repeat',
  'sprig.regexMatch',
  'sprig.until',
  'sprig.toJson',
  'constructor',
  'sprig.constructor',
  'sprig.__proto__',
];

function expression(r: () => number, depth: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  if (depth <= 0 || r() < 0.25) return pick(ATOMS);
  switch (Math.floor(r() * 9)) {
    case 0:
      return `${expression(r, depth - 1)} ${pick(BINARY)} ${expression(r, depth - 1)}`;
    case 1:
      return `(${expression(r, depth - 1)})`;
    case 2:
      return `${pick(['!', '-', 'not '])}${expression(r, depth - 1)}`;
    case 3:
      return `${pick(CALLS)}(${expression(r, depth - 1)}${r() < 0.5 ? `, ${expression(r, depth - 1)}` : ''})`;
    case 4:
      return `[${expression(r, depth - 1)}, ${expression(r, depth - 1)}]`;
    case 5:
      return `{${pick(['a', "'__proto__'", 'constructor', '(x)'])}: ${expression(r, depth - 1)}}`;
    case 6:
      return `${expression(r, depth - 1)} ? ${expression(r, depth - 1)} : ${expression(r, depth - 1)}`;
    case 7:
      return `${expression(r, depth - 1)}${pick(['.a', '?.b', '[0]', '[1:2]', "['__proto__']", '.constructor', '?.[0]'])}`;
    default:
      return `let v = ${expression(r, depth - 1)}; ${expression(r, depth - 1)}`;
  }
}

function mutate(r: () => number, text: string): string {
  const chars = [...text];
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (chars.length + 1));
    const op = Math.floor(r() * 3);
    const junk = String.fromCharCode(Math.floor(r() * 128));
    if (op === 0) chars.splice(at, 1);
    else if (op === 1) chars.splice(at, 0, junk);
    else chars.splice(at, 0, ...'{}[]()#.?:\'"`\\'.charAt(Math.floor(r() * 14)));
  }
  return chars.join('');
}

function randomBytes(r: () => number): string {
  const n = Math.floor(r() * 40);
  return Array.from({ length: n }, () => String.fromCharCode(Math.floor(r() * 256))).join('');
}

/** Runs fn, accepting success or the module's typed error; anything else fails the test. */
function expectContained(fn: () => unknown, input: string): void {
  try {
    fn();
  } catch (err) {
    if (!isPlinthError(err, 'INVALID_INPUT')) {
      throw new Error(`untyped failure for ${JSON.stringify(input)}: ${String(err)}`);
    }
  }
}

describe('fuzz', () => {
  const vars = {
    x: 3,
    xs: [1, 2, 3],
    m: { k: 'v', a: [1] },
    'inputs.parameters.p': '12',
  };

  it('evaluates random and mutated expressions without crash, hang or prototype access', () => {
    const lang = createExpressionLanguage({ now: () => 0 });
    const r = rng(20240601);
    const started = Date.now();
    for (let i = 0; i < 1500; i++) {
      const generated = expression(r, 4);
      const inputs = [generated, mutate(r, generated), randomBytes(r)];
      for (const input of inputs) {
        const t0 = Date.now();
        expectContained(() => lang.evaluate(input, vars), input);
        expectContained(
          () => substituteString(`a{{=${input}}}b`, new Map(), allowNone, { expressions: lang }),
          input,
        );
        expectContained(() => evaluateWhen(input), input);
        expectContained(() => compileGovaluate(input).evaluate(vars), input);
        expect(Date.now() - t0, input).toBeLessThan(1000);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('a');
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('v');
    expect(vars.m).toEqual({ k: 'v', a: [1] });
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('cannot pollute prototypes through map keys or JSON', () => {
    const lang = createExpressionLanguage();
    const attempts = [
      "{'__proto__': {'polluted': 1}}",
      'fromJSON(\'{"__proto__": {"polluted": 1}}\')',
      "sprig.set(sprig.dict(), '__proto__', {'polluted': 1})",
      'sprig.merge(sprig.dict(), fromJSON(\'{"__proto__": {"polluted": 1}}\'))',
      "sprig.dict('__proto__', sprig.dict('polluted', 1))",
      "fromPairs([['__proto__', {'polluted': 1}]])",
      "groupBy(['__proto__'], #)",
    ];
    for (const a of attempts) {
      const out = lang.evaluate(a, {}) as Record<string, unknown>;
      expect(Object.getPrototypeOf(out)).toBeNull();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
    lang.evaluate('m.__proto__ ?? 1', { m: {}, ['__proto__.polluted']: 1 } as Record<
      string,
      unknown
    >);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
