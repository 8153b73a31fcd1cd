/** Scanning JSON text without parsing it, so values keep their raw text (gjson's `Raw`). */

export function skipWhitespace(json: string, i: number): number {
  while (i < json.length && ' \t\n\r'.includes(json[i] as string)) i++;
  return i;
}

/** The index just past the JSON value that starts at `i`. */
export function valueEnd(json: string, i: number): number {
  const ch = json[i];
  if (ch === '"') return stringEnd(json, i);
  if (ch === '{' || ch === '[') {
    let depth = 0;
    for (let j = i; j < json.length; j++) {
      const c = json[j];
      if (c === '"') {
        j = stringEnd(json, j) - 1;
      } else if (c === '{' || c === '[') {
        depth++;
      } else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return json.length;
  }
  let j = i;
  while (j < json.length && !',}] \t\n\r'.includes(json[j] as string)) j++;
  return j;
}

export function stringEnd(json: string, i: number): number {
  for (let j = i + 1; j < json.length; j++) {
    const c = json[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return json.length;
}

export function* objectEntries(
  json: string,
  open: number,
): Generator<{ key: string; start: number }> {
  let i = skipWhitespace(json, open + 1);
  while (i < json.length && json[i] !== '}') {
    const keyEnd = stringEnd(json, i);
    const key = JSON.parse(json.slice(i, keyEnd)) as string;
    i = skipWhitespace(json, keyEnd);
    i = skipWhitespace(json, i + 1); // past ':'
    yield { key, start: i };
    i = skipWhitespace(json, valueEnd(json, i));
    if (json[i] === ',') i = skipWhitespace(json, i + 1);
  }
}

export function* arrayItems(json: string, open: number): Generator<number> {
  let i = skipWhitespace(json, open + 1);
  while (i < json.length && json[i] !== ']') {
    yield i;
    i = skipWhitespace(json, valueEnd(json, i));
    if (json[i] === ',') i = skipWhitespace(json, i + 1);
  }
}

/** Strips whitespace outside strings (gjson's @ugly). */
export function compact(json: string): string {
  let out = '';
  for (let i = 0; i < json.length; i++) {
    const c = json[i] as string;
    if (c === '"') {
      const end = stringEnd(json, i);
      out += json.slice(i, end);
      i = end - 1;
    } else if (!' \t\n\r'.includes(c)) {
      out += c;
    }
  }
  return out;
}
