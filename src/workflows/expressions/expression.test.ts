import { describe, expect, it } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import { createExpressionLanguage, evaluateExpression } from './index.js';

const vars = {
  'inputs.parameters.foo': '3',
  'inputs.parameters.my-param': 'hyphen',
  'inputs.parameters.json': '[{"value":"true"},{"value":"false"}]',
  'steps.flip-coin.outputs.result': 'heads',
  'workflow.status': 'Failed',
  'workflow.parameters.config': '{"a":"1","b":"2","c":"3"}',
  item: '7',
};

const ev = (src: string, v: Record<string, unknown> = vars): unknown => evaluateExpression(src, v);

function failure(
  src: string,
  v: Record<string, unknown> = vars,
): { code: string; message: string } {
  try {
    ev(src, v);
  } catch (err) {
    expect(isPlinthError(err, 'INVALID_INPUT')).toBe(true);
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
  throw new Error(`expected ${src} to fail`);
}

describe('expr literals and operators', () => {
  it.each([
    ['42', 42],
    ['0x2A', 42],
    ['0b101010', 42],
    ['1_000', 1000],
    ['.5', 0.5],
    ['1e3', 1000],
    ["'single'", 'single'],
    ['"dou\\tble"', 'dou\tble'],
    ['`raw\\n`', 'raw\\n'],
    ['true', true],
    ['nil', null],
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['7 / 2', 3.5],
    ['7 % 3', 1],
    ['2 ** 10', 1024],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ** 2', -4],
    ['"a" + "b"', 'ab'],
    ['1 < 2 < 3', true],
    ['3 > 2 > 2', false],
    ['1 == 1.0', true],
    ['"1" == 1', false],
    ['[1, [2]] == [1, [2]]', true],
    ['true && !false', true],
    ['true and not false', true],
    ['false || true', true],
    ['false or false', false],
    ['2 in [1, 2]', true],
    ['"a" in {a: 1}', true],
    ['3 not in [1, 2]', true],
    ['"abc" matches "^a.c$"', true],
    ['"abc" not matches "^b"', true],
    ['"abc" contains "bc"', true],
    ['"abc" startsWith "ab"', true],
    ['"abc" endsWith "bc"', true],
    ['1 > 2 ? "x" : "y"', 'y'],
    ['false ?: "elvis"', 'elvis'],
    ['nil ?? "d"', 'd'],
    ['"v" ?? "d"', 'v'],
    ['1..4', [1, 2, 3, 4]],
    ['[1, 2, 3, 4, 5][1:4]', [2, 3, 4]],
    ['[1, 2, 3, 4, 5][1:-1]', [2, 3, 4]],
    ['[1, 2, 3][:2]', [1, 2]],
    ['[1, 2, 3][-1]', 3],
    ['{a: {b: [10, 20]}}.a.b[1]', 20],
    ["{'b-c': 1}['b-c']", 1],
    ['let x = 2; let y = 3; x * y', 6],
    ['if 1 > 0 { "yes" } else { "no" }', 'yes'],
    ['"Hello World" | lower() | split(" ")', ['hello', 'world']],
    ['/* note */ 1 // trailing', 1],
  ])('%s', (src, want) => {
    expect(ev(src)).toEqual(want);
  });
});

describe('variables', () => {
  it('resolves dotted names as nested members and by index', () => {
    expect(ev('asInt(inputs.parameters.foo) * 10')).toBe(30);
    expect(ev("inputs.parameters['my-param']")).toBe('hyphen');
    expect(ev("steps['flip-coin'].outputs.result == 'heads'")).toBe(true);
    expect(ev('workflow.status != "Succeeded"')).toBe(true);
    expect(ev('item')).toBe('7');
  });
  it('lets nested objects and flat keys mix, flat keys winning over a parent value', () => {
    expect(ev('a.b.c + a.d', { 'a.b.c': 1, a: { d: 2 } })).toBe(3);
    expect(
      ev('toJson(inputs.parameters)', { 'inputs.parameters': '[...]', 'inputs.parameters.x': '1' }),
    ).toBe('{"x":"1"}');
  });
  it('answers nil for a missing member, and optional chaining stops at nil', () => {
    expect(ev('inputs.parameters.nope')).toBeNull();
    expect(ev('inputs.parameters.nope ?? "default"')).toBe('default');
    expect(ev('inputs?.nothing?.deeper')).toBeNull();
    expect(ev('inputs.nothing?.[0]')).toBeNull();
  });
  it('refuses an unknown top-level name', () => {
    expect(failure('nothing + 1').message).toBe('unknown name nothing');
  });
  it('names the variables that are missing, as Argo checks them', () => {
    const lang = createExpressionLanguage();
    expect(
      lang.missingVariables('workflow.status == "x" && inputs.parameters.foo == "3"', vars),
    ).toEqual([]);
    expect(lang.missingVariables('retries + item', vars)).toEqual(['retries']);
    expect(lang.missingVariables('workflow.failures ?? "[]"', vars)).toEqual([]);
    expect(lang.missingVariables('let z = 1; z + 1', {})).toEqual([]);
    expect(lang.variablePaths('a.b.c + d[0]')).toEqual(['a.b.c', 'a.b', 'a', 'd']);
  });
});

describe('predicates and builtins', () => {
  it.each([
    ['filter([1, 2, 3, 4], # % 2 == 0)', [2, 4]],
    ['map([1, 2], {# * 2})', [2, 4]],
    ['all([1, 2], # > 0)', true],
    ['any([1, 2], # > 1)', true],
    ['none([1, 2], # > 2)', true],
    ['one([1, 2], # > 1)', true],
    ['count([1, 2, 3], # > 1)', 2],
    ['count([true, false, true])', 2],
    ['filter([{n: 1}, {n: 5}], .n > 2)', [{ n: 5 }]],
    ['map([{n: 1}], #index)', [0]],
    ['reduce(1..4, #acc + #)', 10],
    ['reduce(1..4, #acc + #, 10)', 20],
    ['find([1, 2, 3], # > 1)', 2],
    ['findIndex([1, 2, 3], # > 1)', 1],
    ['sum([1, 2, 3])', 6],
    ['sortBy([{a: 2}, {a: 1}], .a)', [{ a: 1 }, { a: 2 }]],
    ['groupBy([1, 2, 3], # % 2 == 0)', { false: [1, 3], true: [2] }],
    ['len("héllo")', 6],
    ['len([1, 2])', 2],
    ['len({a: 1})', 1],
    ['int("42") + int(3.9)', 45],
    ['float("2.5") * 2', 5],
    ['string(1.5) + string(2)', '1.52'],
    ['asInt("5") + asFloat("0.5")', 5.5],
    ['upper("a") + lower("B")', 'Ab'],
    ['trim("  x  ") + trim("__y__", "_")', 'xy'],
    ['split("a,b,c", ",", 2)', ['a', 'b,c']],
    ['splitAfter("a,b", ",")', ['a,', 'b']],
    ['replace("aaa", "a", "b")', 'bbb'],
    ['repeat("ab", 2)', 'abab'],
    ['join(["a", "b"], "-")', 'a-b'],
    ['indexOf("apple pie", "pie")', 6],
    ['hasPrefix("abc", "ab") && hasSuffix("abc", "bc")', true],
    ['trimPrefix("HelloWorld", "Hello") + trimSuffix("HelloWorld", "World")', 'WorldHello'],
    ['max(1, 7, 3) + min(4, 2)', 9],
    ['abs(-5) + ceil(1.2) + floor(1.8) + round(2.5)', 11],
    ['mean([1, 2, 3]) + median([1, 3, 2, 4])', 4.5],
    ['toJSON({b: 1, a: "x"})', '{\n  "a": "x",\n  "b": 1\n}'],
    ['toJson([1, {"b": "<"}])', '[1,{"b":"\\u003c"}]'],
    ['fromJSON(\'{"a": [1, 2]}\').a[1]', 2],
    ['toBase64("Hello World")', 'SGVsbG8gV29ybGQ='],
    ['fromBase64("SGVsbG8gV29ybGQ=")', 'Hello World'],
    ['keys({a: 1})', ['a']],
    ['values({a: 1})', [1]],
    ['toPairs({a: 1})', [['a', 1]]],
    ['fromPairs([["a", 1]]).a', 1],
    ['first([1, 2]) + last([1, 2])', 3],
    ['get([1, 2], 5) ?? get({a: 3}, "a")', 3],
    ['take([1, 2, 3], 2)', [1, 2]],
    ['reverse([1, 2])', [2, 1]],
    ['uniq([1, 2, 1])', [1, 2]],
    ['concat([1], [2, 3])', [1, 2, 3]],
    ['flatten([1, [2, [3]]])', [1, 2, 3]],
    ['sort([3, 1, 2], "desc")', [3, 2, 1]],
    [
      'type(1) + type(1.5) + type("") + type(nil) + type([]) + type({})',
      'intfloatstringnilarraymap',
    ],
    ['bitand(0b1010, 0b1100) + bitshl(1, 3) + bitnot(0)', 15],
    ['duration("1h30m").Minutes()', 90],
    ['date("2023-08-14").Year()', 2023],
    ['date("2023-08-14 10:11:12", "2006-01-02 15:04:05").Hour()', 10],
    ['date("2024-01-02T00:00:00Z") - date("2024-01-01T00:00:00Z") == duration("24h")', true],
    ['jsonpath(\'{"a": {"b": [1, 2]}}\', "$.a.b[1]")', 2],
    ['jsonpath(\'[{"v": 1}, {"v": 2}]\', "$[*].v")', [1, 2]],
    ['jsonpath(\'[{"k": "a", "v": 1}, {"k": "b", "v": 2}]\', "$[?(@.k == \'b\')].v")', [2]],
    ['jsonpath(\'[{"w": 3}, {"w": 5}, {"w": 7}]\', "$[?(@.w>3 && @.w<7)].w")', [5]],
    ['jsonpath(\'[{"w": 3}, {"w": 5}, {"w": 7}]\', "$[?(@.w == 3 || @.w >= 7)].w")', [3, 7]],
    ['jsonpath(\'[{"t": "a&&b"}, {"t": "c"}]\', "$[?(@.t == \'a&&b\')].t")', ['a&&b']],
  ])('%s', (src, want) => {
    expect(ev(src)).toEqual(want);
  });
  it('evaluates now() against the clock it is given', () => {
    const lang = createExpressionLanguage({ now: () => Date.UTC(2030, 0, 2) });
    expect(lang.evaluate('now().Year()', {})).toBe(2030);
    expect(lang.evaluate("sprig.date('2006-01-02', sprig.now())", {})).toBe('2030-01-02');
  });
});

describe("Argo's documented expressions", () => {
  it('runs the variables page examples', () => {
    expect(ev('[1, 2]')).toEqual([1, 2]);
    expect(ev('filter([1, 2], { # > 1})')).toEqual([2]);
    expect(ev('map([1, 2], { # * 2 })')).toEqual([2, 4]);
    expect(ev("asInt(inputs.parameters['foo'])")).toBe(3);
    expect(ev('string(1)')).toBe('1');
    expect(ev('toJson([1, 2])')).toBe('[1,2]');
    expect(ev("sprig.trim(inputs.parameters['my-param'])")).toBe('hyphen');
  });
  it('runs expression-tag-template and conditional-parameters', () => {
    expect(ev('toJson(filter([1, 3], {# > 1}))')).toBe('[3]');
    expect(ev('asInt(item) * 10')).toBe(70);
    expect(ev("jsonpath(inputs.parameters.json, '$[0].value') == 'true'")).toBe(true);
    expect(ev("jsonpath(workflow.parameters.config, '$.b')")).toBe('2');
    expect(ev('workflow.status == "Failed" ? "bad" : "good"')).toBe('bad');
  });
});

describe('errors', () => {
  it.each([
    ['1 +', /unexpected token EOF/],
    ['(1', /unexpected token EOF/],
    ['"abc', /literal not terminated/],
    ['1 @ 2', /unrecognized character/],
    ['"a" + 1', /invalid operation: \+ \(mismatched types string and int\)/],
    ['1 < "a"', /mismatched types int and string/],
    ['!1', /mismatched type int/],
    ['[1][5]', /index out of range: 5 \(array length is 1\)/],
    ['int("x")', /strconv.Atoi/],
    ['{a: nil}.a.b', /cannot fetch b from <nil>/],
    ['1 ?? 2 + 3', /cannot be mixed/],
    ['"a" matches "("', /error parsing regexp/],
    ['len(1)', /invalid argument for len/],
    ['inputs(1)', /not callable/],
    ['fromJSON("{")', /invalid JSON/],
  ])('%s', (src, re) => {
    expect(failure(src).message).toMatch(re);
  });
  it('keeps every builtin within its bounds', () => {
    expect(failure('1..1000000000').message).toMatch(/collection larger/);
    expect(failure('repeat("x", 100000000)').message).toMatch(/string longer/);
    expect(failure('sprig.repeat(100000000, "x")').message).toMatch(/string longer/);
    expect(failure('map(1..50000, map(1..50000, 1))').message).toMatch(/too many steps/);
    expect(failure('('.repeat(5000) + '1' + ')'.repeat(5000)).message).toMatch(/nested too deeply/);
  });
  it('never reaches prototypes or host functions', () => {
    expect(ev('{}.constructor')).toBeNull();
    expect(ev("{}['__proto__']")).toBeNull();
    expect(ev('inputs.__proto__')).toBeNull();
    expect(ev('inputs.parameters.foo.length', { 'inputs.parameters.foo': { length: 3 } })).toBe(3);
    expect(failure('inputs.parameters.foo.length').message).toMatch(
      /cannot fetch length from string/,
    );
    expect(failure('__proto__').message).toBe('unknown name __proto__');
    expect(failure('"x".constructor').message).toMatch(/cannot fetch constructor from string/);
    expect(failure('sprig.constructor("return 1")').message).toMatch(/not callable/);
    expect(ev('f', { f: () => 1 })).toBeNull();
    expect(ev('fromJSON(\'{"__proto__": {"polluted": 1}}\').__proto__.polluted')).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
