/**
 * Field tables by type name. Each value lists the type's fields separated by
 * white space, each `field` or `field:Shape`, where Shape is a type name of
 * the same tables, `[]Shape` (a list), or `{}Shape` (a map with any keys).
 * A field without a shape holds a scalar, or a value whose inside is not checked.
 */
export type FieldTables = Readonly<Record<string, string>>;

/** What a field holds. */
export type FieldShape =
  | { kind: 'leaf' }
  | { kind: 'object'; type: string }
  | { kind: 'list'; of: FieldShape }
  | { kind: 'map'; of: FieldShape };

/** Field tables read into maps: type name, then field name, then its shape. */
export type CompiledTables = ReadonlyMap<string, ReadonlyMap<string, FieldShape>>;

function parseShape(text: string): FieldShape {
  if (text === '') return { kind: 'leaf' };
  if (text.startsWith('[]')) return { kind: 'list', of: parseShape(text.slice(2)) };
  if (text.startsWith('{}')) return { kind: 'map', of: parseShape(text.slice(2)) };
  return { kind: 'object', type: text };
}

/** Reads field tables; throws when a shape names a type the tables do not define. */
export function compileTables(tables: FieldTables): CompiledTables {
  const compiled = new Map<string, Map<string, FieldShape>>();
  for (const [type, text] of Object.entries(tables)) {
    const fields = new Map<string, FieldShape>();
    for (const entry of text.split(/\s+/).filter(Boolean)) {
      const at = entry.indexOf(':');
      const name = at < 0 ? entry : entry.slice(0, at);
      fields.set(name, parseShape(at < 0 ? '' : entry.slice(at + 1)));
    }
    compiled.set(type, fields);
  }
  const check = (shape: FieldShape, where: string): void => {
    if (shape.kind === 'object' && !compiled.has(shape.type)) {
      throw new Error(`field table ${where} names the unknown type ${shape.type}`);
    }
    if (shape.kind === 'list' || shape.kind === 'map') check(shape.of, where);
  };
  for (const [type, fields] of compiled) {
    for (const [name, shape] of fields) check(shape, `${type}.${name}`);
  }
  return compiled;
}
