import { describe, expect, it } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import { evaluateWhen } from './index.js';

function whenError(text: string): string {
  try {
    evaluateWhen(text);
  } catch (err) {
    expect(isPlinthError(err, 'INVALID_INPUT')).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('evaluateWhen (govaluate, as Argo runs it)', () => {
  it.each([
    // coinflip and conditionals: bare words compare as strings
    ['heads == heads', true],
    ['tails == heads', false],
    ['Succeeded != Succeeded', false],
    ['Failed != Succeeded', true],
    ['true == true', true],
    ['false == true', false],
    ["'apple' =~ '^a.*'", true],
    ["'banana' =~ '^a.*'", false],
    ["'banana' !~ '^a'", true],
    ['5 > 3 && 2 < 1', false],
    ['5 > 3 || 2 < 1', true],
    ['!(1 == 2)', true],
    ['!false', true],
    ['a in (a, b)', true],
    ["'c' in ('a', 'b')", false],
    ['3 in (1, 2, 3)', true],
    ['1 == 1.0', true],
    ["'1' == 1", false],
    ['10 >= 9.5', true],
    ['(1 + 2) * 3 == 9', true],
    ['2 ** 3 == 8', true],
    ['7 % 4 == 3', true],
    ["'a' + 1 == 'a1'", true],
    ['abc < abd', true],
    ['-1 < 0', true],
    ["[my value] == 'my value'", true],
    ["'2021-01-01' < '2022-01-01'", true],
    ['true ? false : true', false],
    ['', true],
  ])('%s', (text, want) => {
    expect(evaluateWhen(text)).toBe(want);
  });

  it('explains a bad token with the hint Argo gives', () => {
    expect(whenError('a ~ b')).toBe(
      `Invalid 'when' expression 'a ~ b': Invalid token: '~' (hint: try wrapping the affected expression in quotes ("))`,
    );
  });
  it('refuses two bare words in a row', () => {
    expect(whenError('hello world == x')).toBe(
      "Invalid 'when' expression 'hello world == x': Cannot transition token types from VARIABLE [hello] to VARIABLE [world]",
    );
  });
  it('reports unclosed strings, dangling operators and unbalanced parentheses', () => {
    expect(whenError("foo == 'bar")).toMatch(/Unclosed string literal$/);
    expect(whenError('x ==')).toMatch(/Unexpected end of expression$/);
    expect(whenError('(a == a')).toMatch(/Unbalanced parenthesis$/);
    expect(whenError('Foo.bar == 1')).toMatch(
      /Unable to access unexported field 'bar' in token 'Foo.bar'/,
    );
  });
  it('fails evaluation of a hyphenated word as govaluate does', () => {
    expect(whenError('my-value == x')).toBe(
      "Failed to evaluate 'when' expresion 'my-value == x': Value 'my' cannot be used with the modifier '-', it is not a number",
    );
    expect(whenError('a && true')).toMatch(
      /Value 'a' cannot be used with the logical operator '&&', it is not a bool/,
    );
    expect(whenError('1 < a')).toMatch(
      /cannot be used with the comparator '<', it is not a number/,
    );
  });
  it('requires a boolean result', () => {
    expect(whenError('5')).toBe("Expected boolean evaluation for '5'. Got 5");
    expect(whenError('heads')).toBe("Expected boolean evaluation for 'heads'. Got heads");
  });
  it('matches patterns in linear time', () => {
    const evil = `'${'a'.repeat(5000)}!' =~ '(a+)+$'`;
    const started = Date.now();
    expect(evaluateWhen(evil)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(whenError("'a' =~ '('")).toMatch(/Invalid 'when' expression/);
  });
});
