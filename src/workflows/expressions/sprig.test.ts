import { describe, expect, it } from 'vitest';
import { createExpressionLanguage } from './index.js';

const lang = createExpressionLanguage({ now: () => Date.UTC(2024, 2, 5, 6, 7, 8) });
const ev = (src: string): unknown => lang.evaluate(src, { s: '  Hello World  ', n: '42' });

describe('sprig functions under sprig.*', () => {
  it.each([
    // strings, arguments in template order
    ['sprig.trim(s)', 'Hello World'],
    ['sprig.trimAll("$", "$5.00$")', '5.00'],
    ['sprig.trimPrefix("-", "-hello")', 'hello'],
    ['sprig.trimSuffix("-", "hello-")', 'hello'],
    ['sprig.upper("hello")', 'HELLO'],
    ['sprig.lower("HELLO")', 'hello'],
    ['sprig.title("hello world")', 'Hello World'],
    ['sprig.replace(" ", "-", "a b c")', 'a-b-c'],
    ['sprig.substr(0, 5, "hello world")', 'hello'],
    ['sprig.trunc(5, "hello world")', 'hello'],
    ['sprig.trunc(-5, "hello world")', 'world'],
    ['sprig.contains("cat", "catch")', true],
    ['sprig.hasPrefix("cat", "catch")', true],
    ['sprig.hasSuffix("ch", "catch")', true],
    ['sprig.quote("a", 1)', '"a" "1"'],
    ['sprig.squote("a")', "'a'"],
    ['sprig.cat("hello", "beautiful", "world")', 'hello beautiful world'],
    ['sprig.indent(2, "a\\nb")', '  a\n  b'],
    ['sprig.nindent(2, "a")', '\n  a'],
    ['sprig.repeat(3, "ab")', 'ababab'],
    ['sprig.splitList("$", "foo$bar$baz")', ['foo', 'bar', 'baz']],
    ['sprig.split("$", "foo$bar")._1', 'bar'],
    ['sprig.join("-", ["a", "b"])', 'a-b'],
    ['sprig.snakecase("FirstName")', 'first_name'],
    ['sprig.kebabcase("FirstName")', 'first-name'],
    ['sprig.camelcase("http_server")', 'HttpServer'],
    ['sprig.abbrev(5, "hello world")', 'he...'],
    ['sprig.nospace("a b  c")', 'abc'],
    ['sprig.initials("First Try")', 'FT'],
    ['sprig.plural("one", "many", 2)', 'many'],
    ['sprig.toString(42)', '42'],
    ['sprig.atoi(n) + sprig.int("7") + sprig.int("x")', 49],
    // math
    ['sprig.add(1, 2, "3")', 6],
    ['sprig.add1(1)', 2],
    ['sprig.sub(5, 2)', 3],
    ['sprig.mul(2, 3, 4)', 24],
    ['sprig.div(7, 2)', 3],
    ['sprig.mod(7, 2)', 1],
    ['sprig.max(1, 5, 3)', 5],
    ['sprig.min(4, 2, 8)', 2],
    ['sprig.floor(1.7)', 1],
    ['sprig.ceil(1.2)', 2],
    ['sprig.round(123.5555, 3)', 123.556],
    ['sprig.addf(1.5, 2)', 3.5],
    ['sprig.until(3)', [0, 1, 2]],
    ['sprig.untilStep(3, 6, 2)', [3, 5]],
    ['sprig.seq(3)', '1 2 3'],
    // defaults
    ['sprig.default("foo", "")', 'foo'],
    ['sprig.default("foo", "bar")', 'bar'],
    ['sprig.empty("")', true],
    ['sprig.empty(0) && sprig.empty([]) && sprig.empty(nil)', true],
    ['sprig.coalesce("", nil, "x")', 'x'],
    ['sprig.ternary("yes", "no", true)', 'yes'],
    ['sprig.ternary("yes", "no", false)', 'no'],
    // encoding
    ['sprig.b64enc("hello")', 'aGVsbG8='],
    ['sprig.b64dec("aGVsbG8=")', 'hello'],
    ['sprig.b32enc("hello")', 'NBSWY3DP'],
    ['sprig.b32dec("NBSWY3DP")', 'hello'],
    ['sprig.toJson({"b": 1, "a": "<x>"})', '{"a":"\\u003cx\\u003e","b":1}'],
    ['sprig.toRawJson({"a": "<x>"})', '{"a":"<x>"}'],
    ['sprig.toPrettyJson({"a": 1})', '{\n  "a": 1\n}'],
    ['sprig.fromJson(\'{"a": 1}\').a', 1],
    // lists
    ['sprig.list(1, 2, 3)', [1, 2, 3]],
    ['sprig.first([1, 2])', 1],
    ['sprig.last([1, 2])', 2],
    ['sprig.rest([1, 2, 3])', [2, 3]],
    ['sprig.initial([1, 2, 3])', [1, 2]],
    ['sprig.append([1], 2)', [1, 2]],
    ['sprig.prepend([1], 0)', [0, 1]],
    ['sprig.concat([1], [2], 3)', [1, 2, 3]],
    ['sprig.reverse([1, 2])', [2, 1]],
    ['sprig.uniq([1, 1, 2])', [1, 2]],
    ['sprig.has(2, [1, 2])', true],
    ['sprig.without([1, 2, 3], 2)', [1, 3]],
    ['sprig.slice([1, 2, 3, 4], 1, 3)', [2, 3]],
    ['sprig.compact(["a", "", nil, "b"])', ['a', 'b']],
    ['sprig.sortAlpha(["b", "a"])', ['a', 'b']],
    ['sprig.chunk(2, [1, 2, 3])', [[1, 2], [3]]],
    // dicts
    ['sprig.dict("a", 1, "b", 2)', { a: 1, b: 2 }],
    ['sprig.get(sprig.dict("a", 1), "a")', 1],
    ['sprig.get(sprig.dict("a", 1), "z")', ''],
    ['sprig.set(sprig.dict(), "k", "v")', { k: 'v' }],
    ['sprig.unset(sprig.dict("a", 1, "b", 2), "a")', { b: 2 }],
    ['sprig.hasKey(sprig.dict("a", 1), "a")', true],
    ['sprig.keys(sprig.dict("a", 1))', ['a']],
    ['sprig.values(sprig.dict("a", 1))', [1]],
    ['sprig.pick(sprig.dict("a", 1, "b", 2), "a")', { a: 1 }],
    ['sprig.omit(sprig.dict("a", 1, "b", 2), "a")', { b: 2 }],
    ['sprig.merge(sprig.dict("a", 1), sprig.dict("a", 9, "b", 2))', { a: 1, b: 2 }],
    ['sprig.pluck("a", sprig.dict("a", 1), sprig.dict("a", 2))', [1, 2]],
    ['sprig.dig("a", "b", "none", sprig.dict("a", sprig.dict("b", 5)))', 5],
    // dates
    ['sprig.date("2006-01-02 15:04:05", sprig.now())', '2024-03-05 06:07:08'],
    ['sprig.date("Jan 2, 2006", sprig.toDate("2006-01-02", "2017-12-31"))', 'Dec 31, 2017'],
    ['sprig.unixEpoch(sprig.toDate("2006-01-02", "1970-01-02"))', '86400'],
    ['sprig.date("15:04", sprig.dateModify("1.5h", sprig.now()))', '07:37'],
    ['sprig.duration(95)', '1m35s'],
    ['sprig.htmlDate(sprig.now())', '2024-03-05'],
    // hashes
    ['sprig.sha1sum("Hello world!")', 'd3486ae9136e7856bc42212385ea797094475802'],
    [
      'sprig.sha256sum("Hello world!")',
      'c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a',
    ],
    ['sprig.adler32sum("Hello world!")', '487130206'],
    // regular expressions
    ['sprig.regexMatch("^[a-z]+@[a-z]+\\\\.com$", "test@acme.com")', true],
    ['sprig.regexFindAll("[2,4,6,8]", "123456789", -1)', ['2', '4', '6', '8']],
    ['sprig.regexFindAll("[2,4,6,8]", "123456789", 2)', ['2', '4']],
    ['sprig.regexFind("[a-zA-Z][1-9]", "abcd1234")', 'd1'],
    ['sprig.regexReplaceAll("a(x*)b", "-ab-axxb-", "${1}W")', '-W-xxW-'],
    ['sprig.regexReplaceAllLiteral("a(x*)b", "-ab-axxb-", "${1}")', '-${1}-${1}-'],
    ['sprig.regexSplit("z+", "pizza", -1)', ['pi', 'a']],
    ['sprig.regexQuoteMeta("1.2")', '1\\.2'],
    // semver, types, paths
    ['sprig.semverCompare(">=1.2.0", "1.3.0")', true],
    ['sprig.semverCompare("^1.2.0", "2.0.0")', false],
    ['sprig.semverCompare("~1.2.0", "1.2.9")', true],
    ['sprig.kindOf([1]) + " " + sprig.typeOf("x")', 'slice string'],
    ['sprig.kindIs("map", sprig.dict())', true],
    ['sprig.deepEqual([1, {a: 2}], [1, {a: 2}])', true],
    ['sprig.base("/a/b.txt") + sprig.dir("/a/b.txt") + sprig.ext("b.txt")', 'b.txt/a.txt'],
    ['sprig.clean("/a//b/../c/")', '/a/c'],
  ])('%s', (src, want) => {
    expect(ev(src)).toEqual(want);
  });

  it('is not given env or expandenv, as Argo removes them', () => {
    expect(() => ev('sprig.env("HOME")')).toThrow(/not callable/);
    expect(() => ev('sprig.expandenv("$HOME")')).toThrow(/not callable/);
  });
  it('fails loudly where sprig does', () => {
    expect(() => ev('sprig.div(1, 0)')).toThrow(/divide by zero/);
    expect(() => ev('sprig.fail("stop")')).toThrow('stop');
    expect(() => ev('sprig.upper(1)')).toThrow(/invalid argument for upper/);
  });
});
