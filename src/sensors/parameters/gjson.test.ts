import { describe, it, expect } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import { gjsonGet } from './gjson.js';

// The document of gjson's path syntax, with its whitespace kept: raw results are slices of it.
const doc = `{
  "name": {"first": "Tom", "last": "Anderson"},
  "age":37,
  "children": ["Sara","Alex","Jack"],
  "fav.movie": "Deer Hunter",
  "friends": [
    {"first": "Dale", "last": "Murphy", "age": 44, "nets": ["ig", "fb", "tw"]},
    {"first": "Roger", "last": "Craig", "age": 68, "nets": ["fb", "tw"]},
    {"first": "Jane", "last": "Murphy", "age": 47, "nets": ["ig", "tw"]}
  ]
}`;

describe('gjsonGet', () => {
  it.each([
    ['name.last', 'String', 'Anderson'],
    ['name.first', 'String', 'Tom'],
    ['age', 'Number', '37'],
    ['children', 'JSON', '["Sara","Alex","Jack"]'],
    ['children.0', 'String', 'Sara'],
    ['children.1', 'String', 'Alex'],
    ['friends.1.first', 'String', 'Roger'],
    ['child*.2', 'String', 'Jack'],
    ['c?ildren.0', 'String', 'Sara'],
    ['fav\\.movie', 'String', 'Deer Hunter'],
    ['friends.#', 'Number', '3'],
    ['friends.#.age', 'JSON', '[44,68,47]'],
    ['friends.#.first', 'JSON', '["Dale","Roger","Jane"]'],
    ['friends.#.nets', 'JSON', '[["ig", "fb", "tw"],["fb", "tw"],["ig", "tw"]]'],
    ['friends.#.nets.#', 'JSON', '[3,2,2]'],
    ['name', 'JSON', '{"first": "Tom", "last": "Anderson"}'],
  ])('%s is %s %s', (path, type, str) => {
    const r = gjsonGet(doc, path);
    expect(r.exists).toBe(true);
    expect(r.type).toBe(type);
    expect(r.str).toBe(str);
  });

  it('keeps the raw text of a block, whitespace included', () => {
    expect(gjsonGet(doc, 'friends.1').raw).toBe(
      '{"first": "Roger", "last": "Craig", "age": 68, "nets": ["fb", "tw"]}',
    );
  });

  it.each(['name.middle', 'children.3', 'children.x', 'age.x', 'fav.movie', 'friends.-1', ''])(
    '%s does not exist',
    (path) => {
      expect(gjsonGet(doc, path).exists).toBe(false);
    },
  );

  it('reads scalars by type, as gjson prints them', () => {
    const json =
      '{"t":true,"f":false,"n":null,"i":-12,"x":1.50,"e":1e3,"s":"a\\"b\\u00e9","tiny":1e-7}';
    expect(gjsonGet(json, 't')).toMatchObject({ type: 'True', str: 'true', raw: 'true' });
    expect(gjsonGet(json, 'f')).toMatchObject({ type: 'False', str: 'false' });
    expect(gjsonGet(json, 'n')).toMatchObject({ type: 'Null', str: '', raw: 'null', exists: true });
    expect(gjsonGet(json, 'i')).toMatchObject({ type: 'Number', str: '-12' });
    expect(gjsonGet(json, 'x')).toMatchObject({ type: 'Number', str: '1.5', raw: '1.50' });
    expect(gjsonGet(json, 'e')).toMatchObject({ type: 'Number', str: '1000' });
    expect(gjsonGet(json, 'tiny').str).toBe('0.0000001');
    expect(gjsonGet(json, 's')).toMatchObject({ type: 'String', str: 'a"bé' });
  });

  it('reads a webhook payload: headers are arrays, numeric keys of objects are keys', () => {
    const payload = JSON.stringify({
      header: { 'X-Id': ['abc'], 'Content-Type': ['application/json'] },
      body: { region: 'eu', items: [{ name: 'a' }], '0': 'zero' },
    });
    expect(gjsonGet(payload, 'header.X-Id.0').str).toBe('abc');
    expect(gjsonGet(payload, 'body.items.0.name').str).toBe('a');
    expect(gjsonGet(payload, 'body.0').str).toBe('zero');
    expect(gjsonGet(payload, 'body.items.#').str).toBe('1');
  });

  it.each([
    ['friends.#(last=="Murphy").first', 'Dale'],
    ['friends.#(last=="Murphy")#.first', '["Dale","Jane"]'],
    ['friends.#(age>45)#.last', '["Craig","Murphy"]'],
    ['friends.#(age>=47)#.age', '[68,47]'],
    ['friends.#(first%"D*").last', 'Murphy'],
    ['friends.#(first!%"D*").last', 'Craig'],
    ['friends.#(nets.#(=="fb"))#.first', '["Dale","Roger"]'],
    ['friends.#(last=="Murphy")#|#', '2'],
    ['children|@reverse', '["Jack","Alex","Sara"]'],
    ['children|@reverse|0', 'Jack'],
    ['children.@reverse', '["Jack","Alex","Sara"]'],
    ['name|@keys', '["first","last"]'],
    ['name|@values', '["Tom","Anderson"]'],
    ['friends.#.nets|@flatten', '["ig","fb","tw","fb","tw","ig","tw"]'],
    ['friends.0|@ugly', '{"first":"Dale","last":"Murphy","age":44,"nets":["ig","fb","tw"]}'],
    [
      '{name.first,age,"the_murphys":friends.#(last="Murphy")#.first}',
      '{"first":"Tom","age":37,"the_murphys":["Dale","Jane"]}',
    ],
    ['[name.first,age,nothing]', '["Tom",37]'],
    ['{name.first,"alive":!true}', '{"first":"Tom","alive":true}'],
    ['!"text"', 'text'],
    ['name.first|@tostr', '"Tom"'],
    ['friends.#.first|1', 'Roger'],
  ])('%s is %s', (path, str) => {
    const r = gjsonGet(doc, path);
    expect(r.exists).toBe(true);
    expect(r.str).toBe(str);
  });

  it('keeps the whole document for @this and drops invalid JSON with @valid', () => {
    expect(gjsonGet(doc, '@this').raw).toBe(doc);
    expect(gjsonGet('{"a":"{\\"b\\":1}"}', 'a|@fromstr|b').str).toBe('1');
    expect(gjsonGet(doc, 'friends.#(last=="Nobody").first').exists).toBe(false);
    expect(gjsonGet(doc, 'friends.#(last=="Nobody")#').str).toBe('[]');
  });

  it('refuses paths gjson cannot read, as InputError', () => {
    for (const path of ['friends.#(last=="Murphy"', 'children|@nosuch', '!nope', '{a,"b']) {
      expect(() => gjsonGet(doc, path), path).toThrow();
      try {
        gjsonGet(doc, path);
      } catch (err) {
        expect(isPlinthError(err, 'INVALID_INPUT')).toBe(true);
      }
    }
  });
});
