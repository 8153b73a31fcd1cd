import { describe, it, expect } from 'vitest';
import { compileGovaluate, goFloatText } from './index.js';

const run = (expr: string, params: Record<string, unknown> = {}): unknown =>
  compileGovaluate(expr).evaluate(params);

describe('govaluate dialect', () => {
  it.each([
    ['10 > 0', {}, true],
    [
      '(requests_made * requests_succeeded / 100) >= 90',
      { requests_made: 100, requests_succeeded: 80 },
      false,
    ],
    ["http_response_body == 'service is ok'", { http_response_body: 'service is ok' }, true],
    ['(mem_used / total_mem) * 100', { total_mem: 1024, mem_used: 512 }, 50],
    ["'2014-01-02' > '2014-01-01 23:59:59'", {}, true],
    ['1 + 2 * 3 ** 2', {}, 19],
    ['-a + 1', { a: 3 }, -2],
    ['!(a == 1)', { a: 1 }, false],
    ["'a' + 1", {}, 'a1'],
    ["'abc' < 'abd'", {}, true],
    ["name =~ '^f.o$'", { name: 'foo' }, true],
    ["name !~ 'o'", { name: 'bar' }, true],
    ['x in (1, 2, 3)', { x: 2 }, true],
    ["x IN ('a', 'b')", { x: 'c' }, false],
    ['a > 1 ? "big" : "small"', { a: 0 }, 'small'],
    ['missing ?? 5', { missing: null }, 5],
    ['7 % 3 + (6 & 3) + (1 << 3)', {}, 11],
    ['[response-time] < 100', { 'response-time': 50 }, true],
    ['response\\-time < 100', { 'response-time': 150 }, false],
    ['0x1F == 31', {}, true],
    ['a == b', { a: [1, { k: 'v' }], b: [1, { k: 'v' }] }, true],
    ['false && missing', {}, false],
    ['true || missing', {}, true],
  ])('%s', (expr, params, want) => {
    expect(run(expr, params)).toEqual(want);
  });

  it.each([
    ['a > 1', { a: 'x' }, "Value 'x' cannot be used with the comparator '>', it is not a number"],
    [
      'a && true',
      { a: 1 },
      "Value '1' cannot be used with the logical operator '&&', it is not a bool",
    ],
    ['a - 1', { a: true }, "Value 'true' cannot be used with the modifier '-', it is not a number"],
    ['!a', { a: 1 }, "Value '1' cannot be used with the prefix '!'"],
    ['nope == 1', {}, "No parameter 'nope' found."],
    ['a.B == 1', { a: { B: 1 } }, "Unable to access 'B', 'a' is not a struct"],
  ])('refuses %s', (expr, params, message) => {
    expect(() => run(expr, params)).toThrow(message);
  });

  it.each(['(a', "'open", 'a ==', 'a b', 'len(a)', 'a.b', 'a @ b', ''])(
    'refuses the syntax of %j',
    (expr) => {
      expect(() => compileGovaluate(expr)).toThrow(/invalid expression/);
    },
  );

  it('lists the parameters it reads', () => {
    expect(compileGovaluate("a > 1 && [b-c] == 'x' && a < 5").vars).toEqual(['a', 'b-c']);
  });

  it("prints floats as Go's %v does", () => {
    expect([1, 1.5, 1e21, 0.00001, 123456789].map(goFloatText)).toEqual([
      '1',
      '1.5',
      '1e+21',
      '1e-05',
      '123456789',
    ]);
  });
});
